#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Warnings of valid changes, against a real sfcd: in the API reply
# ("warnings") and printed by sfcctl on stderr as "sfcctl: warning: ...",
# while the change itself is made (or, for --dry-run and diff, shown):
# - a rule whose in-dev is not an ingress point (rule add, apply,
#   apply --dry-run, diff, and ingress del under such a rule);
# - an edit that removes a CNI-made attachment names it; a CNI detach,
#   which removes it on purpose, does not warn.

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh
cli_start

base_doc "$T/doc.json"
ok "apply the base document (no warning)" apply -f "$T/doc.json"

# warned NAME EXPECTED ARGS...: sfcctl succeeds and prints "sfcctl: warning: EXPECTED"
warned() {
	local name=$1 exp=$2
	shift 2
	ctl "$@"
	if ((RC != 0)); then
		fail "$name" "sfcctl $* -> status $RC, stderr '$ERR'"
	elif ! grep -qxF -- "sfcctl: warning: $exp" <<<"$ERR"; then
		fail "$name" "stderr '$ERR', expected 'sfcctl: warning: $exp'"
	else
		pass "$name"
	fi
}

W20='rule pref 20: in-dev "s5" is not an ingress point; the rule matches nothing until "s5" is added to ingress'
jq '.rules += [{"pref": 20, "in-dev": "s5", "chain": "web"}]' "$T/doc.json" >"$T/in5.json"
before=$(doc)
warned "apply --dry-run warns of an in-dev that is not an ingress point" "$W20" \
	apply -f "$T/in5.json" --dry-run
assert_eq "apply --dry-run: nothing applied" "$before" "$(doc)"
warned "diff warns of an in-dev that is not an ingress point" "$W20" diff -f "$T/in5.json"
has "diff still shows the rule" '^\+ rule pref 20$'
warned "rule add in-dev s5 warns" "$W20" rule add pref 20 in-dev s5 chain web
assert_eq "the rule was added" 20 "$(doc | jq '.rules[] | select(.["in-dev"] == "s5") | .pref')"
api_raw '{"cmd":"sf-add","sf":{"name":"ids","kind":"iface","dev":"s1"}}'
assert_eq "API: any later commit still carries the warning" "$W20" \
	"$(jq -r '.warnings | select(length == 1) | .[0]' <<<"$R")"
ok "ingress add s5: the warning goes" ingress add dev s5
warned "ingress del under a rule warns" "$W20" ingress del dev s5
ok "rule del 20" rule del pref 20

# CNI-made attachments
api_raw '{"cmd":"attach","network":"n1","container":"c1","ifname":"eth0","role":"ingress","dev":"s4"}'
assert_eq "CNI attach (through the API)" true "$(jq -r .ok <<<"$R")"
WC='ingress point "s4" of CNI attachment (network "n1", container "c1", interface "eth0") removed'
warned "ingress del of a CNI-made ingress point names the attachment" "$WC" ingress del dev s4
assert_eq "the ingress point is gone" 0 "$(doc | jq '[.ingress[] | select(.dev == "s4")] | length')"
api_raw '{"cmd":"attach","network":"n1","container":"c1","ifname":"eth0","role":"ingress","dev":"s4"}'
warned "apply of a document without it names the attachment" "$WC" apply -f "$T/doc.json"
api_raw '{"cmd":"attach","network":"n1","container":"c2","ifname":"eth0","role":"ingress","dev":"s3"}'
api_raw '{"cmd":"detach","network":"n1","container":"c2","ifname":"eth0"}'
assert_eq "CNI detach: removed, no warning" 'true null' "$(jq -r '"\(.ok) \(.warnings)"' <<<"$R")"
assert_done
