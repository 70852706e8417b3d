/// The release of AgentCanary these tools belong to; written into every artifact and ledger row.
package let agentCanaryVersion = "0.1.0"
