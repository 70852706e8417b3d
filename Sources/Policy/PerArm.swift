import Vocabulary

/// One value for each arm: the baseline's and the candidate's. Written in JSON as `[baseline, candidate]`, the
/// order of ``Arm/index``, which is how looks stored their per-arm values before this type, so stored looks
/// decode (and `monitor rejudge` recomputes them) unchanged.
package struct PerArm<Value> {
    package var baseline: Value
    package var candidate: Value

    /// The two values.
    package init(baseline: Value, candidate: Value) {
        self.baseline = baseline
        self.candidate = candidate
    }

    /// Each arm's value made by `value`.
    package init(_ value: (Arm) throws -> Value) rethrows {
        baseline = try value(.baseline)
        candidate = try value(.candidate)
    }

    /// The values of a per-arm array, indexed by ``Arm/index`` (the accumulator's hot-path storage).
    package init(indexed values: [Value]) {
        precondition(values.count == 2, "a per-arm array has two elements")
        baseline = values[0]
        candidate = values[1]
    }

    /// The value of `arm`.
    package subscript(arm: Arm) -> Value {
        get { arm == .baseline ? baseline : candidate }
        set {
            if arm == .baseline { baseline = newValue } else { candidate = newValue }
        }
    }

    /// Both values, baseline first.
    package var both: [Value] { [baseline, candidate] }

    /// Each value transformed.
    package func map<Other>(_ transform: (Value) throws -> Other) rethrows -> PerArm<Other> {
        PerArm<Other>(baseline: try transform(baseline), candidate: try transform(candidate))
    }
}

extension PerArm: Equatable where Value: Equatable {}
extension PerArm: Sendable where Value: Sendable {}

extension PerArm: Encodable where Value: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(baseline)
        try container.encode(candidate)
    }
}

extension PerArm: Decodable where Value: Decodable {
    package init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        baseline = try container.decode(Value.self)
        candidate = try container.decode(Value.self)
        guard container.isAtEnd else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a per-arm value has two elements: [baseline, candidate]")
        }
    }
}
