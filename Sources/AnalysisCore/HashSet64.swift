/// Open-addressing hash tables keyed by 64-bit hashes (the keys already are FNV-1a hashes, so a multiply is
/// enough to spread them): about three times faster than `Dictionary`/`Set` with SipHash on the telemetry
/// hot path, and a third of the memory.
package struct HashSet64 {
    // Storage is usable from inlinable code: the monitor's `LookEvents` inserts an event key per event, from
    // another module, and a call per insert would cost the table its speed.
    @usableFromInline package internal(set) var keys: [UInt64]
    @usableFromInline package internal(set) var count = 0
    @usableFromInline var mask: Int
    @usableFromInline var shift: UInt64

    package init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inlinable @inline(__always) package static func normalise(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inlinable @inline(__always) func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    /// Inserts `key`; `false` when it was there.
    @inlinable @inline(__always) package mutating func insert(_ raw: UInt64) -> Bool {
        let key = Self.normalise(raw)
        var index = slot(key)
        while true {
            let current = keys[index]
            if current == key { return false }
            if current == 0 {
                keys[index] = key
                count += 1
                if count * 2 > keys.count { grow() }
                return true
            }
            index = (index + 1) & mask
        }
    }

    /// Whether `key` is in the set.
    @inlinable package func contains(_ raw: UInt64) -> Bool {
        let key = Self.normalise(raw)
        var index = slot(key)
        while true {
            let current = keys[index]
            if current == key { return true }
            if current == 0 { return false }
            index = (index + 1) & mask
        }
    }

    /// Every key (in table order).
    package var elements: [UInt64] { keys.filter { $0 != 0 } }

    /// Grows the table now to hold `capacity` keys without growing again.
    package mutating func reserve(_ capacity: Int) {
        guard capacity * 2 > keys.count else { return }
        let old = keys
        self = HashSet64(capacity: capacity)
        for key in old where key != 0 { _ = insert(key) }
    }

    @usableFromInline mutating func grow() {
        let old = keys
        self = HashSet64(capacity: old.count)
        for key in old where key != 0 { _ = insert(key) }
    }
}
