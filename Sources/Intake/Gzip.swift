import CZlib
import Foundation

/// Decompresses a request body sent with `Content-Encoding: gzip` (RFC 1952; a zlib stream is accepted too).
///
/// A body is decoded whole or refused: a gzip file may hold several members one after another (RFC 1952 §2.2,
/// what `cat a.gz b.gz` makes), and every member is decompressed; bytes after the last member that do not start
/// another one make the body corrupt, never silently dropped.
enum Gzip {
    /// Why a body could not be decompressed.
    enum Failure: Error, Equatable {
        /// Not a gzip stream, or a damaged one.
        case corrupt(String)
        /// It decompresses to more than the limit.
        case tooLarge(limit: Int)
    }

    /// The decompressed bytes of `data`, refused once they pass `limit` (a small body that inflates to
    /// gigabytes is stopped there, not held).
    static func inflate(_ data: Data, limit: Int) throws(Failure) -> Data {
        var stream = z_stream()
        // 15 window bits + 32: detect a gzip or zlib header.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: chunk)
        var input = [UInt8](data)
        var members = 0
        let failure: Failure? = input.withUnsafeMutableBufferPointer { bytes -> Failure? in
            stream.next_in = bytes.baseAddress
            stream.avail_in = uInt(bytes.count)
            while true {
                var status: Int32 = Z_OK
                repeat {
                    buffer.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(chunk)
                        status = CZlib.inflate(&stream, Z_NO_FLUSH)
                        if let base = out.baseAddress { output.append(base, count: chunk - Int(stream.avail_out)) }
                    }
                } while status == Z_OK && output.count <= limit && (stream.avail_in > 0 || stream.avail_out == 0)
                if output.count > limit { return .tooLarge(limit: limit) }
                guard status == Z_STREAM_END else {
                    if status == Z_OK || status == Z_BUF_ERROR {
                        return .corrupt(
                            members == 0 ? "the gzip stream ends early" : "member \(members + 1) ends early")
                    }
                    return .corrupt(stream.msg.map { String(cString: $0) } ?? "the stream is damaged")
                }
                members += 1
                guard stream.avail_in > 0 else { return nil }
                // More bytes after a member: another member (starting with gzip's magic number), or garbage.
                let rest = UnsafeBufferPointer(start: stream.next_in, count: Int(stream.avail_in))
                guard rest.count >= 2, rest[0] == 0x1F, rest[1] == 0x8B else {
                    return .corrupt("\(rest.count) bytes after the end of the gzip stream are not another member")
                }
                guard inflateReset(&stream) == Z_OK else { return .corrupt("zlib could not restart") }
            }
        }
        if let failure { throw failure }
        return output
    }
}
