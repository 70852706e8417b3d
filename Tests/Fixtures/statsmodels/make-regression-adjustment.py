#!/usr/bin/env python3
"""Writes regression-adjustment.json: simulated canary tasks and statsmodels' regression-adjusted estimates.

Tasks of 160 conversations (2-4 tasks each), a conversation on the candidate or the baseline, success depending on
the user's tier and the task's category (known before the outcome). statsmodels 0.15.0 fits, by OLS:
  unadjusted: success ~ 1 + candidate
  lin:        success ~ 1 + candidate + x + candidate * x, x the covariates centred on their pooled means
              (Lin 2013's interacted regression adjustment; the coefficient of `candidate` is the estimate)
with HC1 and conversation-clustered standard errors. Run once with numpy 2.4.6 and statsmodels 0.15.0:
    python3 make-regression-adjustment.py > regression-adjustment.json
"""
import json

import numpy as np
import statsmodels.api as sm

rng = np.random.default_rng(20261206)
rows = []
for conversation in range(160):
    candidate = int(rng.random() < 0.4)
    tier = int(rng.random() < 0.3)
    for _ in range(int(rng.integers(2, 5))):
        category = int(rng.integers(0, 3))
        p = 0.62 + 0.25 * tier - 0.20 * (category == 2) + 0.08 * (category == 1) - 0.02 * candidate
        rows.append({"conversation": conversation, "candidate": candidate,
                     "covariates": [tier, int(category == 1), int(category == 2)],
                     "success": int(rng.random() < p)})

y = np.array([r["success"] for r in rows], dtype=float)
t = np.array([r["candidate"] for r in rows], dtype=float)
x = np.array([r["covariates"] for r in rows], dtype=float)
groups = np.array([r["conversation"] for r in rows])
xc = x - x.mean(axis=0)


def fit(design, kind):
    model = sm.OLS(y, design)
    result = model.fit(cov_type="cluster", cov_kwds={"groups": groups}) if kind == "cluster" else model.fit(cov_type="HC1")
    return {"estimate": float(result.params[1]), "standard_error": float(result.bse[1])}


unadjusted = sm.add_constant(t)
lin = np.column_stack([np.ones_like(y), t, xc, t[:, None] * xc])
head = {
    "source": "statsmodels 0.15.0 OLS (numpy 2.4.6), Tests/Fixtures/statsmodels/make-regression-adjustment.py",
    "unadjusted": {"hc1": fit(unadjusted, "hc1"), "cluster": fit(unadjusted, "cluster")},
    "lin": {"hc1": fit(lin, "hc1"), "cluster": fit(lin, "cluster")},
}
# One task a line, so that the file reads and diffs as a table.
text = json.dumps(head, indent=1)[:-2] + ',\n "tasks": [\n'
text += ",\n".join("  " + json.dumps(row) for row in rows) + "\n ]\n}"
print(text)
