/// How much `monitor serve` holds and for how long: what bounds it under hostile or slow clients and a slow
/// ledger, beyond `--max-body-bytes` and `--max-queued-records`.
package struct IntakeLimits: Sendable {
    /// The bytes held for requests in flight (bodies, what they decompress to, their decoded records until
    /// committed), past which requests get 429 (`--max-held-bytes`).
    package var maxHeldBytes = 128 << 20
    /// Open connections on the intake port; past it, new ones wait in the listen backlog
    /// (`--max-connections`; below the usual 1,024 descriptors, which the ledger and the probe port share).
    package var maxConnections = 512
    /// A connection that sends nothing for this long, between requests or in the middle of one, is closed
    /// (`--idle-timeout`).
    package var idleTimeout: Duration = .seconds(15)
    /// A request whose body has not arrived whole this long after its head gets 408 and its connection is closed
    /// (`--read-timeout`; a client dripping a byte at a time is not idle, and is stopped by this).
    package var readTimeout: Duration = .seconds(30)
    /// After SIGTERM, how long requests in flight may take to finish before they are dropped unacknowledged and
    /// the process exits (`--drain-timeout`; below Kubernetes' and the systemd unit's 30 s).
    package var drainTimeout: Duration = .seconds(20)

    /// The defaults.
    package init() {}
}
