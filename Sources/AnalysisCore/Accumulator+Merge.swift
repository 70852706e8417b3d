import Foundation
import Statistics

extension Accumulator {
    /// Gives this copy a per-conversation table of its own (the table is a reference, shared by copies):
    /// for parts of a look that accumulate concurrently from one template.
    package mutating func detachConversations() {
        totals = BlockArray()
    }

    /// Adds the accumulator of a later part of the same input. Returns `false`, leaving `self` unusable,
    /// when a conversation appears under the other version in the other part or a task is rogue in both:
    /// only one sequential pass counts those exactly.
    package mutating func merge(_ other: inout Accumulator) -> Bool {
        let count = other.totals.count
        other.conversations = HashIndex64(capacity: 1)
        conversations.reserve(conversations.count + count)
        for index in 0..<count {
            let entry = other.totals[index]
            let key = entry.key
            if let mine = conversations[key] {
                totals[mine].merge(entry)
            } else if conversations[key ^ 1] != nil {
                return false
            } else {
                conversations.set(key, totals.count)
                totals.append(entry)
            }
        }
        other.totals = BlockArray()
        for key in other.rogueTasks.elements {
            guard rogueTasks.insert(key) else { return false }
        }
        for (request, sequence) in other.shadowSequences {
            guard shadowSequences.updateValue(sequence, forKey: request) == nil else { return false }
        }
        for (request, sequence) in other.stableSequences {
            guard stableSequences.updateValue(sequence, forKey: request) == nil else { return false }
        }
        for arm in 0..<2 {
            for bucket in 0..<LogHistogram.bucketCount {
                latency[arm].counts[bucket] += other.latency[arm].counts[bucket]
            }
            latency[arm].total += other.latency[arm].total
            for (index, tool) in other.toolKeys.enumerated() {
                countTool(tool, arm: arm, by: other.toolCounts[arm][index])
            }
            for bin in stepsCounts[arm].indices { stepsCounts[arm][bin] += other.stepsCounts[arm][bin] }
            rogueByArm[arm] += other.rogueByArm[arm]
            firstTime[arm] = min(firstTime[arm], other.firstTime[arm])
            lastTime[arm] = max(lastTime[arm], other.lastTime[arm])
            taskCount[arm] += other.taskCount[arm]
            stepTaskCount[arm] += other.stepTaskCount[arm]
        }
        names.merge(other.names) { mine, _ in mine }
        for (key, entry) in other.satisfaction {
            var merged = satisfaction[key] ?? (entry.arm, 0, 0)
            merged.positive += entry.positive
            merged.count += entry.count
            satisfaction[key] = merged
        }
        for (theirs, category) in other.segmentKeys.enumerated() {
            let mine = segmentIndex(category)
            for arm in 0..<2 {
                segmentSuccess[mine][arm].merge(other.segmentSuccess[theirs][arm])
                segmentCost[mine][arm].merge(other.segmentCost[theirs][arm])
            }
        }
        mixed += other.mixed
        mixedExamples = Array((mixedExamples + other.mixedExamples).prefix(5))
        critical += other.critical
        criticalExamples = Array((criticalExamples + other.criticalExamples).prefix(5))
        return true
    }
}
