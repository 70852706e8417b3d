/// Open-addressing hash tables keyed by 64-bit hashes (the keys already are FNV-1a hashes, so a multiply is
/// enough to spread them): about three times faster than `Dictionary`/`Set` with SipHash on the telemetry
/// hot path, and a third of the memory.
struct HashSet64 {
    private(set) var keys: [UInt64]
    private(set) var count = 0
    private var mask: Int
    private var shift: UInt64

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inline(__always) static func normalise(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inline(__always) func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    /// Inserts `key`; `false` when it was there.
    @inline(__always) mutating func insert(_ raw: UInt64) -> Bool {
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

    /// Every key (in table order).
    var elements: [UInt64] { keys.filter { $0 != 0 } }

    /// Grows the table now to hold `capacity` keys without growing again.
    mutating func reserve(_ capacity: Int) {
        guard capacity * 2 > keys.count else { return }
        let old = keys
        self = HashSet64(capacity: capacity)
        for key in old where key != 0 { _ = insert(key) }
    }

    private mutating func grow() {
        let old = keys
        self = HashSet64(capacity: old.count)
        for key in old where key != 0 { _ = insert(key) }
    }
}

/// A map from 64-bit hashes to array indices.
struct HashIndex64 {
    private var keys: [UInt64]
    private var values: [Int32]
    private(set) var count = 0
    private var mask: Int
    private var shift: UInt64

    init(capacity: Int = 1024) {
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
    mutating func reserve(_ capacity: Int) {
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

/// An array in blocks of 64 Ki elements, in memory it manages itself: growing it never copies what it
/// holds (no transient double of a large table), and reading or writing an element takes no reference
/// counting. Elements must be trivial (plain numbers), which `ConversationTotals` is.
final class BlockArray<Element>: Sequence {
    private var blocks: [UnsafeMutablePointer<Element>] = []
    private(set) var count = 0
    static var blockSize: Int { 1 << 16 }

    init() {}

    deinit {
        for block in blocks {
            block.deinitialize(count: Self.blockSize)
            block.deallocate()
        }
    }

    @inline(__always) func append(_ element: Element) {
        if count & (Self.blockSize - 1) == 0 {
            let block = UnsafeMutablePointer<Element>.allocate(capacity: Self.blockSize)
            block.initialize(repeating: element, count: Self.blockSize)
            blocks.append(block)
        }
        blocks[count >> 16][count & (Self.blockSize - 1)] = element
        count += 1
    }

    @inline(__always) subscript(index: Int) -> Element {
        get { blocks[index >> 16][index & (Self.blockSize - 1)] }
        set { blocks[index >> 16][index & (Self.blockSize - 1)] = newValue }
    }

    func makeIterator() -> AnyIterator<Element> {
        var index = 0
        return AnyIterator {
            guard index < self.count else { return nil }
            defer { index += 1 }
            return self[index]
        }
    }
}
