import CZlib
import Foundation

/// Decompresses a request body sent with `Content-Encoding: gzip` (RFC 1952; a zlib stream is accepted too).
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
        var status: Int32 = Z_OK
        var input = [UInt8](data)
        input.withUnsafeMutableBufferPointer { bytes in
            stream.next_in = bytes.baseAddress
            stream.avail_in = uInt(bytes.count)
            repeat {
                buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    if let base = out.baseAddress { output.append(base, count: chunk - Int(stream.avail_out)) }
                }
            } while status == Z_OK && output.count <= limit && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        if output.count > limit { throw .tooLarge(limit: limit) }
        guard status == Z_STREAM_END else {
            let message = stream.msg.map { String(cString: $0) } ?? "the stream ends early"
            throw .corrupt(status == Z_OK || status == Z_BUF_ERROR ? "the gzip stream ends early" : message)
        }
        return output
    }
}
