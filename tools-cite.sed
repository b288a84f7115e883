# Rewrites citations of the design document outside the repository (DESIGN.md, ../shared/...)
# in Java sources to the project's own docs/. Apply from the repository root after merging:
#   find . -name '*.java' -not -path '*/target/*' -print0 | xargs -0 sed -E -i -f tools-cite.sed
# then check: grep -rnE 'DESIGN\.md|\.\./shared|shared/data' --include=*.java . | grep -v /target/
# Specific forms first; the last lines catch any form not listed here.
#
# a path to the shared design, in any depth, becomes the plain name so the rules below apply
s#(\.\./)*shared/DESIGN\.md#DESIGN.md#g
# the real H200 runs: the copy in test resources (provenance in h200-runs.md beside it)
s#(\.\./)*shared/data/h200-runs(/runs\.jsonl)?#tools/src/test/resources/h200-runs.jsonl#g
s#H200 runs from (\.\./)*shared/data\b#H200 runs from tools/src/test/resources/h200-runs.jsonl#g
# cost rules -> docs/money.md
s#DESIGN\.md(, | )(cost rules? [0-9])#docs/money.md \2#g
s#DESIGN\.md(, | )"Cost rules"#docs/money.md "Cost rules"#g
# queue, quota and priority rules -> docs/queue.md
s#DESIGN\.md(, | )queue (rules? [0-9])#docs/queue.md \2#g
s#DESIGN\.md(, | )(rules? [0-9])#docs/queue.md \2#g
s#DESIGN\.md(, | )"Queue, quota and priority rules"#docs/queue.md "Queue, quota and priority rules"#g
s#DESIGN\.md(, | )("?)(Queue state machine|States)#docs/queue.md\1\2State machine#g
# submission outcomes, tools, error codes, MLflow conventions -> docs/tools.md
s#DESIGN\.md's "Submission outcomes"#docs/tools.md, "Submission outcomes"#g
s#DESIGN\.md's submission outcomes#docs/tools.md, "Submission outcomes"#g
s#DESIGN\.md(, | )"?Submission outcomes"?#docs/tools.md, "Submission outcomes"#g
s#DESIGN\.md's MLflow conventions#docs/tools.md's MLflow conventions#g
s#DESIGN\.md, (MLflow conventions|Conventions read from MLflow)#docs/tools.md, "Conventions read from MLflow"#g
s#DESIGN\.md(, | )"?Tools"?#docs/tools.md#g
s#DESIGN\.md(, | )"?Error codes"?#docs/tools.md, "Error codes"#g
s#DESIGN\.md(, | )"?Identity and tenancy"?#docs/tools.md, "Identity rules"#g
s#fixed by DESIGN\.md#fixed by docs/tools.md#g
# layout, backends, the sandbox contract -> docs/architecture.md
s#DESIGN\.md(, | )"?(Layout|Backends)"?#docs/architecture.md, "Modules"#g
# anything else naming the design: the architecture overview, which links every other file
s#DESIGN\.md's#docs/architecture.md's#g
s#DESIGN\.md#docs/architecture.md#g
