/// Whether `bytes` are well-formed UTF-8 (The Unicode Standard, table 3-7): no overlong forms, no surrogates,
/// nothing above U+10FFFF, no truncated sequence. The same bytes `String(validating:as:)` accepts, checked
/// without allocating.
package func isWellFormedUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    let count = bytes.count
    while index < count {
        let lead = bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        // The range the second byte must fall in, and how many continuation bytes follow it.
        let second: ClosedRange<UInt8>
        let length: Int
        switch lead {
        case 0xC2...0xDF: (second, length) = (0x80...0xBF, 2)
        case 0xE0: (second, length) = (0xA0...0xBF, 3)
        case 0xE1...0xEC, 0xEE...0xEF: (second, length) = (0x80...0xBF, 3)
        case 0xED: (second, length) = (0x80...0x9F, 3)
        case 0xF0: (second, length) = (0x90...0xBF, 4)
        case 0xF1...0xF3: (second, length) = (0x80...0xBF, 4)
        case 0xF4: (second, length) = (0x80...0x8F, 4)
        default: return false
        }
        guard index + length <= count, second.contains(bytes[index + 1]) else { return false }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
        index += length
    }
    return true
}

/// The offset of the first byte from `start` on that is a quote, a backslash, a control character or not ASCII
/// (`bytes.count` when there is none): where a scan of a string's content must look closer. Eight bytes at a
/// time; the lowest flagged byte of a word is exact (the borrows of the tests only flag bytes above it).
package func firstNotPlainStringByte(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    guard let base = bytes.baseAddress else { return start }
    let raw = UnsafeRawPointer(base)
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    var index = start
    while index &+ 8 <= bytes.count {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let found =
            ((quote &- ones) & ~quote & highs) | ((backslash &- ones) & ~backslash & highs)
            | ((word &- ones &* 0x20) & ~word & highs) | (word & highs)
        if found != 0 { return index &+ (found.trailingZeroBitCount >> 3) }
        index &+= 8
    }
    while index < bytes.count {
        let byte = base[index]
        if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { return index }
        index &+= 1
    }
    return index
}
