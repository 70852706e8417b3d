/// What a text holds that a built-in rule needs to match, found in one pass over its UTF-8 bytes. Each feature is
/// necessary for its rule (every text the rule's expression matches has it), so a text without it skips the
/// expression; most texts have none, and the regular expressions never run on them.
package struct TextFeatures: OptionSet, Sendable {
    package let rawValue: UInt16
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `AKIA`, `ASIA`, `ABIA` or `ACCA`.
    package static let awsPrefix = TextFeatures(rawValue: 1 << 0)
    /// `bearer`, any case.
    package static let bearer = TextFeatures(rawValue: 1 << 1)
    /// `sk-`, `pk-`, `rk-`, `sk_`, `pk_`, `rk_`, `whsec_`, `gh?_`, `github_pat_`, `xox`, `AIza`, or `key`,
    /// `secret`, `token`, `password` in any case.
    package static let keyword = TextFeatures(rawValue: 1 << 2)
    /// `@` followed by a letter, digit or `-`.
    package static let email = TextFeatures(rawValue: 1 << 3)
    /// 13 digits in one run of digits, spaces and `-`.
    package static let cardDigits = TextFeatures(rawValue: 1 << 4)
    /// 3 dots in one run of digits and dots.
    package static let dottedDigits = TextFeatures(rawValue: 1 << 5)
    /// `::`, or 7 colons in one run of hexadecimal digits and colons.
    package static let hexColons = TextFeatures(rawValue: 1 << 6)
    /// 7 digits in one run of digits, spaces and `.-()+`.
    package static let phoneDigits = TextFeatures(rawValue: 1 << 7)
    /// `-----BEGIN `.
    package static let pemHeader = TextFeatures(rawValue: 1 << 8)
    /// `eyJ`.
    package static let jwtHeader = TextFeatures(rawValue: 1 << 9)
    /// 40 bytes in one run of ASCII letters, digits, `/` and `+`.
    package static let longToken = TextFeatures(rawValue: 1 << 10)
    /// Two ASCII upper-case letters followed by two ASCII digits.
    package static let ibanPrefix = TextFeatures(rawValue: 1 << 11)

    // Byte classes.
    private static let digit: UInt8 = 1
    private static let hexLetter: UInt8 = 2
    private static let cardSeparator: UInt8 = 4
    private static let phoneSeparator: UInt8 = 8
    private static let letter: UInt8 = 16
    private static let keywordStart: UInt8 = 32
    private static let tokenByte: UInt8 = 64

    private static let classes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = digit }
        // `\d` also matches non-ASCII digits (full-width, Arabic-Indic…): every byte of a non-ASCII character
        // counts as a digit, so such texts always reach the expressions on numbers.
        for byte in 0x80...0xFF { table[byte] = digit }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = letter }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = letter }
        for byte in "abcdefABCDEF".utf8 { table[Int(byte)] |= hexLetter }
        for byte in " -".utf8 { table[Int(byte)] |= cardSeparator }
        for byte in " .-()+".utf8 { table[Int(byte)] |= phoneSeparator }
        for byte in "AbBkKsStTpPrgxXwe-".utf8 { table[Int(byte)] |= keywordStart }
        for byte in "0123456789/+".utf8 { table[Int(byte)] |= tokenByte }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] |= tokenByte }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] |= tokenByte }
        return table
    }()

    /// The features of a text.
    package static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> TextFeatures {
        classes.withUnsafeBufferPointer { classes in scan(bytes, classes) }
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ classes: UnsafeBufferPointer<UInt8>)
        -> TextFeatures
    {
        var found: TextFeatures = []
        var cardRun = 0
        var phoneRun = 0
        var dots = 0
        var colons = 0
        var tokenRun = 0
        var previous: UInt8 = 0
        let count = bytes.count
        for index in 0..<count {
            let byte = bytes[index]
            let kind = classes[Int(byte)]
            if kind & digit != 0 {
                cardRun += 1
                phoneRun += 1
                if cardRun >= 13 { found.insert(.cardDigits) }
                if phoneRun >= 7 { found.insert(.phoneDigits) }
            } else {
                if kind & cardSeparator == 0 { cardRun = 0 }
                if kind & phoneSeparator == 0 { phoneRun = 0 }
            }
            if byte == UInt8(ascii: ".") {
                dots += 1
                if dots >= 3 { found.insert(.dottedDigits) }
            } else if kind & digit == 0 {
                dots = 0
            }
            if byte == UInt8(ascii: ":") {
                colons += 1
                if colons >= 7 || previous == UInt8(ascii: ":") { found.insert(.hexColons) }
            } else if kind & (digit | hexLetter) == 0 {
                colons = 0
            }
            if byte == UInt8(ascii: "@"), index + 1 < count {
                let next = bytes[index + 1]
                if classes[Int(next)] & (digit | letter) != 0 || next == UInt8(ascii: "-") { found.insert(.email) }
            }
            if kind & tokenByte != 0 {
                tokenRun += 1
                if tokenRun >= 40 { found.insert(.longToken) }
            } else {
                tokenRun = 0
            }
            if index >= 3, isASCIIDigit(byte), isASCIIDigit(bytes[index - 1]), isASCIIUpper(bytes[index - 2]),
                isASCIIUpper(bytes[index - 3])
            {
                found.insert(.ibanPrefix)
            }
            if kind & keywordStart != 0 { found.formUnion(keywords(bytes, at: index)) }
            previous = byte
        }
        return found
    }

    private static func isASCIIDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isASCIIUpper(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    /// The keyword features of the text starting at `index`.
    private static func keywords(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> TextFeatures {
        func has(_ word: StaticString, ignoringCase: Bool) -> Bool {
            let length = word.utf8CodeUnitCount
            guard index + length <= bytes.count else { return false }
            let mask: UInt8 = ignoringCase ? 0x20 : 0
            for offset in 0..<length where bytes[index + offset] | mask != word.utf8Start[offset] { return false }
            return true
        }
        switch bytes[index] {
        case UInt8(ascii: "A"):
            if has("AIza", ignoringCase: false) { return .keyword }
            return has("AKIA", ignoringCase: false) || has("ASIA", ignoringCase: false)
                || has("ABIA", ignoringCase: false) || has("ACCA", ignoringCase: false) ? .awsPrefix : []
        case UInt8(ascii: "b"), UInt8(ascii: "B"):
            return has("bearer", ignoringCase: true) ? .bearer : []
        case UInt8(ascii: "k"), UInt8(ascii: "K"):
            return has("key", ignoringCase: true) ? .keyword : []
        case UInt8(ascii: "s"), UInt8(ascii: "S"):
            return has("sk-", ignoringCase: false) || has("sk_", ignoringCase: false)
                || has("secret", ignoringCase: true) ? .keyword : []
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            return has("token", ignoringCase: true) ? .keyword : []
        case UInt8(ascii: "p"), UInt8(ascii: "P"):
            return has("pk-", ignoringCase: false) || has("pk_", ignoringCase: false)
                || has("password", ignoringCase: true) ? .keyword : []
        case UInt8(ascii: "r"):
            return has("rk-", ignoringCase: false) || has("rk_", ignoringCase: false) ? .keyword : []
        case UInt8(ascii: "w"):
            return has("whsec_", ignoringCase: false) ? .keyword : []
        case UInt8(ascii: "e"):
            return has("eyJ", ignoringCase: false) ? .jwtHeader : []
        case UInt8(ascii: "-"):
            return has("-----BEGIN ", ignoringCase: false) ? .pemHeader : []
        case UInt8(ascii: "g"):
            if has("github_pat_", ignoringCase: false) { return .keyword }
            guard index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "h"),
                "pousr".utf8.contains(bytes[index + 2]), bytes[index + 3] == UInt8(ascii: "_")
            else { return [] }
            return .keyword
        case UInt8(ascii: "x"):
            return has("xox", ignoringCase: false) ? .keyword : []
        default:
            return []
        }
    }
}
