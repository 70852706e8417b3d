/// flagd's `fractional` bucketing, written again from its specification, to check what flagd's evaluators answer
/// for the flags `canary-deploy --router flagd` renders.
///
/// A conversation's bucket is MurmurHash3 x86 32 (seed 0) of its bucketing value, scaled to the sum of the
/// weights: `(hash * total) >> 32` (flagd-testbed's `@fractional-v2`, "high-precision integer bucketing"). The
/// shorthand's bucketing value is the flag key and the targeting key. flagd's evaluators encode it in one of two
/// ways:
/// - ``Encoding/concatenated``: the two strings joined, as UTF-8 — flagd's Go evaluator (core/pkg/evaluator/
///   fractional.go) and flagd-testbed's v2 vectors;
/// - ``Encoding/cbor``: the array `[flagKey, targetingKey]` in deterministic CBOR (RFC 8949 §4.2) — flagd's ADR
///   "fractional-non-string-rand-units" (accepted), as openfeature-flagd-core 2.0.0 on PyPI implements it.
package enum FlagdFractional {
    package enum Encoding: Sendable {
        case concatenated
        case cbor
    }

    /// The variant `fractional` with `weights` (variant and weight, in order) gives the shorthand's bucketing
    /// value of `flagKey` and `targetingKey`.
    package static func variant(
        flagKey: String, targetingKey: String, weights: [(String, Int)], encoding: Encoding
    ) -> String? {
        let bytes: [UInt8] =
            switch encoding {
            case .concatenated: Array((flagKey + targetingKey).utf8)
            case .cbor: [0x82] + cborText(flagKey) + cborText(targetingKey)
            }
        return variant(hash: murmur3(bytes), weights: weights)
    }

    /// The variant whose range holds `hash` scaled to the total weight.
    package static func variant(hash: UInt32, weights: [(String, Int)]) -> String? {
        let total = UInt64(weights.reduce(0) { $0 + max(0, $1.1) })
        guard total > 0 else { return nil }
        let bucket = (UInt64(hash) * total) >> 32
        var end: UInt64 = 0
        for (variant, weight) in weights {
            end += UInt64(max(0, weight))
            if bucket < end { return variant }
        }
        return nil
    }

    /// A CBOR text string (major type 3) with its length in the shortest form.
    static func cborText(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        let count = bytes.count
        let head: [UInt8] =
            switch count {
            case ..<24: [0x60 | UInt8(count)]
            case ..<0x100: [0x78, UInt8(count)]
            case ..<0x1_0000: [0x79, UInt8(count >> 8), UInt8(count & 0xff)]
            default: [0x7a] + (0..<4).reversed().map { UInt8((count >> ($0 * 8)) & 0xff) }
            }
        return head + bytes
    }

    /// MurmurHash3 x86 32 (Austin Appleby's SMHasher, `MurmurHash3_x86_32`), seed 0 unless given.
    package static func murmur3(_ data: [UInt8], seed: UInt32 = 0) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h = seed
        let blocks = data.count / 4
        for index in 0..<blocks {
            let base = index * 4
            var k =
                UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16
                | UInt32(data[base + 3]) << 24
            k = (k &* c1).rotatedLeft(15) &* c2
            h ^= k
            h = h.rotatedLeft(13) &* 5 &+ 0xe654_6b64
        }
        var k: UInt32 = 0
        let tail = blocks * 4
        switch data.count & 3 {
        case 3:
            k ^= UInt32(data[tail + 2]) << 16
            fallthrough
        case 2:
            k ^= UInt32(data[tail + 1]) << 8
            fallthrough
        case 1:
            k ^= UInt32(data[tail])
            h ^= (k &* c1).rotatedLeft(15) &* c2
        default: break
        }
        h ^= UInt32(truncatingIfNeeded: data.count)
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }
}

extension UInt32 {
    fileprivate func rotatedLeft(_ count: UInt32) -> UInt32 { (self << count) | (self >> (32 - count)) }
}
