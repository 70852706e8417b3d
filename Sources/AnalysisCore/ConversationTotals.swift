/// Per-conversation, per-arm totals.
struct ConversationTotals {
    var firstSeen: Double
    var cost = 0.0
    var tokens = 0.0
    var steps = 0.0
    var judge = 0.0
    var tasks: UInt32 = 0
    var successes: UInt32 = 0
    var errors: UInt32 = 0
    var rogue: UInt32 = 0
    var costCount: UInt32 = 0
    var tokensCount: UInt32 = 0
    var stepsCount: UInt32 = 0
    var judgeCount: UInt32 = 0
    var armValue: UInt8
    var mixed = false
    /// The conversation's key in the index (its hash and arm).
    var key: UInt64 = 0

    init(arm: Int, firstSeen: Double, key: UInt64 = 0) {
        self.armValue = UInt8(arm)
        self.firstSeen = firstSeen
        self.key = key
    }

    var arm: Int { Int(armValue) }

    /// Adds another part's totals of the same conversation and arm.
    mutating func merge(_ other: ConversationTotals) {
        firstSeen = min(firstSeen, other.firstSeen)
        cost += other.cost
        tokens += other.tokens
        steps += other.steps
        judge += other.judge
        tasks += other.tasks
        successes += other.successes
        errors += other.errors
        rogue += other.rogue
        costCount += other.costCount
        tokensCount += other.tokensCount
        stepsCount += other.stepsCount
        judgeCount += other.judgeCount
    }
}
