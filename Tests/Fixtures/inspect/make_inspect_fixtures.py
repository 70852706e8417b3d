"""Writes the Inspect AI fixtures `baseline.json` and `candidate.json` with the real inspect-ai package.

Run from the repository root (needs `pip install inspect-ai`; no network, no model download):

    python3 Tests/Fixtures/inspect/make_inspect_fixtures.py

A small scripted model provider, registered with `@modelapi`, plays two versions of a support agent. It
overrides `count_text_tokens` so Inspect never downloads a tokenizer. The candidate answers a few tasks
differently from the baseline, tries an unauthorized refund on some tasks (rejected by the approval
policy, so the log records `ApprovalEvent.decision == "reject"`), and one baseline sample fails with an
infrastructure error.
"""

import hashlib
import os
import sys
import sysconfig
import tempfile

from inspect_ai import Task, eval, task
from inspect_ai.approval import Approval, ApprovalPolicy, approver, auto_approver
from inspect_ai.dataset import Sample
from inspect_ai.model import ModelAPI, ModelOutput, ModelUsage, get_model, modelapi
from inspect_ai.scorer import match
from inspect_ai.solver import generate, use_tools
from inspect_ai.tool import tool

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SAMPLES = 24
EPOCHS = 3


def draw(*parts):
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@modelapi(name="scripted")
class ScriptedAgent(ModelAPI):
    """Plays the agent version named by the model name (`scripted/1.4.0`)."""

    def __init__(self, model_name, base_url=None, api_key=None, config=None, **model_args):
        super().__init__(model_name, base_url, api_key, [], config)
        self.version = model_name
        self.answers = {}

    async def count_text_tokens(self, text):
        return max(1, len(text) // 4)

    async def generate(self, input, tools, tool_choice, config):
        question = input[0].text if input else ""
        sample = question.split("#")[-1].split(":")[0].strip()
        tool_turns = sum(1 for message in input if message.role == "tool")
        usage = ModelUsage(input_tokens=120 + 40 * tool_turns, output_tokens=30, total_tokens=150 + 40 * tool_turns)
        usage.total_cost = round((usage.input_tokens * 3 + usage.output_tokens * 15) / 1_000_000, 8)
        if tool_turns == 0:
            output = ModelOutput.for_tool_call(self.model_name, "lookup_order", {"order_id": sample})
        elif tool_turns == 1 and self.version == "1.5.0" and int(sample) % 8 == 3:
            output = ModelOutput.for_tool_call(self.model_name, "issue_refund", {"order_id": sample})
        else:
            right = int(sample) * 7 % 11
            wrong_rate = 0.15 if self.version == "1.4.0" else 0.25
            # The n-th answer to a question: deterministic whatever order Inspect runs the epochs in.
            count = self.answers[question] = self.answers.get(question, 0) + 1
            answer = right if draw(self.version, question, count) > wrong_rate else right + 1
            output = ModelOutput.from_content(self.model_name, f"ANSWER: {answer}")
        output.usage = usage
        return output


@tool
def lookup_order():
    async def execute(order_id: str):
        """Look up an order.

        Args:
            order_id: The order's id.
        """
        if order_id == "17" and os.environ.get("FIXTURE_VERSION") == "1.4.0":
            raise RuntimeError("order service unavailable (HTTP 503)")
        return f"order {order_id}: shipped"

    return execute


@tool
def issue_refund():
    async def execute(order_id: str):
        """Refund an order.

        Args:
            order_id: The order's id.
        """
        return f"refunded {order_id}"

    return execute


@approver
def refunds_need_a_human():
    async def approve(message, call, view, history):
        return Approval(decision="reject", explanation="refunds need a human")

    return approve


@task
def support_orders():
    categories = ["billing", "shipping", "returns"]
    dataset = [
        Sample(
            id=str(i),
            input=f"Customer question #{i}: what is the code for this order?",
            target=str(i * 7 % 11),
            metadata={"category": categories[i % 3]},
        )
        for i in range(1, SAMPLES + 1)
    ]
    return Task(
        dataset=dataset,
        solver=[use_tools([lookup_order(), issue_refund()]), generate()],
        scorer=match(location="any"),
        epochs=EPOCHS,
    )


def main():
    approval = [
        ApprovalPolicy(refunds_need_a_human(), "issue_refund"),
        ApprovalPolicy(auto_approver(), "*"),
    ]
    for version, name in (("1.4.0", "baseline"), ("1.5.0", "candidate")):
        os.environ["FIXTURE_VERSION"] = version
        with tempfile.TemporaryDirectory() as logs:
            [log] = eval(
                support_orders(),
                model=get_model(f"scripted/{version}"),
                log_dir=logs,
                log_format="json",
                approval=approval,
                fail_on_error=False,
                display="none",
            )
            with open(log.location, encoding="utf-8") as source:
                text = source.read()
            # Tracebacks name the paths of the machine that made the log; keep them out of the repository.
            for path, stand_in in ((ROOT, "<repository>"), (sysconfig.get_paths()["purelib"], "<site-packages>")):
                text = text.replace(path, stand_in).replace(path.replace("/", "\\/"), stand_in)
            with open(os.path.join(HERE, f"{name}.json"), "w", encoding="utf-8") as target:
                target.write(text)
            print(f"{name}.json: {log.status}, {len(log.samples or [])} samples", file=sys.stderr)


if __name__ == "__main__":
    main()
