/// An array in blocks of 64 Ki elements, in memory it manages itself: growing it never copies what it
/// holds (no transient double of a large table), and reading or writing an element takes no reference
/// counting. Elements must be trivial (plain numbers), which `ConversationTotals` is.
package final class BlockArray<Element>: Sequence {
    private var blocks: [UnsafeMutablePointer<Element>] = []
    private(set) var count = 0
    static var blockSize: Int { 1 << 16 }

    package init() {}

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

    package func makeIterator() -> AnyIterator<Element> {
        var index = 0
        return AnyIterator {
            guard index < self.count else { return nil }
            defer { index += 1 }
            return self[index]
        }
    }
}
