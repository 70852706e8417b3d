import Foundation
import Testing

extension Tag {
    /// Tests that take minutes on two cores: Monte Carlo runs and the decision benchmark.
    @Tag package static var slow: Self
    /// Tests that start a real service on 127.0.0.1: nginx, Prometheus, headless Chromium.
    @Tag package static var services: Self
}

extension Trait where Self == ConditionTrait {
    /// Leaves a ``Tag/slow`` or ``Tag/services`` test out of the fast path, `AGENT_CANARY_FAST=1 swift test`.
    ///
    /// Swift 6.3's `swift test` cannot yet skip by tag (`--skip tag:slow` arrives with ST-0025), so the fast
    /// path is this condition beside the tag.
    package static var notInFastPath: Self {
        .enabled("left out of the fast path (AGENT_CANARY_FAST=1)") {
            ProcessInfo.processInfo.environment["AGENT_CANARY_FAST"] != "1"
        }
    }
}
