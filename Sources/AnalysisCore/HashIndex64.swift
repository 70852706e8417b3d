/// A map from 64-bit hashes to array indices, open-addressing like ``HashSet64``.
package struct HashIndex64 {
    private var keys: [UInt64]
    private var values: [Int32]
    private(set) var count = 0
    private var mask: Int
    private var shift: UInt64

    package init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: -1, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inline(__always) func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    @inline(__always) subscript(_ raw: UInt64) -> Int? {
        let key = HashSet64.normalise(raw)
        var index = slot(key)
        while true {
            let current = keys[index]
            if current == key { return Int(values[index]) }
            if current == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    @inline(__always) mutating func set(_ raw: UInt64, _ value: Int) {
        let key = HashSet64.normalise(raw)
        var index = slot(key)
        while true {
            let current = keys[index]
            if current == key {
                values[index] = Int32(value)
                return
            }
            if current == 0 {
                keys[index] = key
                values[index] = Int32(value)
                count += 1
                if count * 2 > keys.count { grow() }
                return
            }
            index = (index + 1) & mask
        }
    }

    /// Grows the table now to hold `capacity` keys without growing again.
    package mutating func reserve(_ capacity: Int) {
        guard capacity * 2 > keys.count else { return }
        let oldKeys = keys
        let oldValues = values
        self = HashIndex64(capacity: capacity)
        for index in oldKeys.indices where oldKeys[index] != 0 { set(oldKeys[index], Int(oldValues[index])) }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        self = HashIndex64(capacity: oldKeys.count)
        for index in oldKeys.indices where oldKeys[index] != 0 { set(oldKeys[index], Int(oldValues[index])) }
    }
}
