import Foundation

/// libpq's password file (`~/.pgpass`, or `PGPASSFILE`): lines of `hostname:port:database:username:password`,
/// each field `*` for any value, `\:` and `\\` for a colon and a backslash, `#` starting a comment.
///
/// As libpq does, a file that its group or others can read is ignored (its passwords are not secret).
enum PostgresPassFile {
    /// The password of the first line that matches, if any.
    static func password(file: String, host: String, port: Int, database: String, user: String) -> String? {
        var status = stat()
        guard stat(file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_mode & 0o077 == 0,
            let data = FileManager.default.contents(atPath: file)
        else { return nil }
        let wanted = [host, String(port), database, user]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard !line.hasPrefix("#") else { continue }
            let fields = Self.fields(line)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// A line's fields, unescaped.
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":", fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
