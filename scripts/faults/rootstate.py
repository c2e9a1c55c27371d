#!/usr/bin/env python3
"""State oracle for scripts/test-faults (python3 stdlib only).

  rootstate.py snapshot ROOT OUT.json
      Records every regular file and symbolic link under ROOT (content digest, mode, link target), skipping
      var/lib/dpkg and var/log (dpkg's own database and logs are checked through dpkg-query).
  rootstate.py volatile A.json B.json OUT.json
      The paths whose content differs between two clean runs (a GUID, a key pair, timings): compared masked.
  rootstate.py check ROOT PRISTINE.json CLEAN.json VOLATILE.json MODE
      MODE "killed": every file is absent, as before the install, or complete as after a clean install; leftover
      temporary files are listed ("temp PATH") but allowed. MODE "final": the tree equals the clean install's, no
      temporary file left. Prints one line per problem; exits 1 when there is one.
  rootstate.py receipt ROOT MODE
      The receipt, when present, is complete JSON whose package versions equal dpkg-query's installed ones (the
      oracle); MODE "final" requires it and exitCode 0.
"""
import hashlib, json, os, re, stat, subprocess, sys

SKIP = ("var/lib/dpkg/", "var/log/")
# Checked by the receipt command instead (its content says what the last run did, so it differs after a re-run).
RECEIPT = "var/lib/agent-installer/receipt.json"
# Files the packages' maintainer scripts extend line by line (users, groups): complete when every line is one of
# the file before or after the install and the file ends with a newline.
LINE_MERGED = ("etc/passwd", "etc/group", "etc/shadow", "etc/gshadow")
# Content that changes between clean runs even when they happen within the same second: the install time, and the
# consistency cron job's minute (random in 2..14, contract §10.12: two clean runs agree one time in 13).
ALWAYS_VOLATILE = ("etc/opt/microsoft/omsagent/sysconf/installinfo.txt", "etc/cron.d/OMSConsistencyInvoker")
TEMP = [re.compile(r"(^|/)\.[^/]+\.tmp-\d+-[0-9a-z]+$"), re.compile(r"\.agent-installer-backup-\d+-\d+$"),
        re.compile(r"\.dpkg-(new|tmp|old)$")]


def walk(root):
    out = {}
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(base, name)
            rel = os.path.relpath(full, root)
            if rel.startswith(SKIP) or rel + "/" in SKIP:
                continue
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = {"link": os.readlink(full)}
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    data = f.read()
                out[rel] = {"mode": oct(st.st_mode & 0o7777), "sha": hashlib.sha256(data).hexdigest(),
                            "text_lines": data.decode("utf-8", "replace").splitlines() if rel in LINE_MERGED else None,
                            "newline": data.endswith(b"\n") or not data,
                            "masked": masked(data), "lines": data.count(b"\n"), "pem": pem_complete(data)}
    return out


def masked(data):
    """The content with the parts that change between clean runs replaced: UUIDs, long Base64/hex runs, digits."""
    text = data.decode("utf-8", "replace")
    text = re.sub(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}", "U", text)
    text = re.sub(r"(?m)^[A-Za-z0-9+/=]{4,}$", "B", text)  # PEM body lines (the last one's length varies)
    text = re.sub(r"[A-Za-z0-9+/=]{24,}", "B", text)
    text = re.sub(r"\d+", "0", text)
    return hashlib.sha256(text.encode()).hexdigest()


def pem_complete(data):
    """None for a file that is not PEM; else whether it ends with its END line."""
    if not data.startswith(b"-----BEGIN "):
        return None
    return bool(re.search(rb"\n-----END [A-Z ]+-----\n?$", data))


def same(entry, reference, volatile):
    if "link" in entry or "link" in reference:
        return entry.get("link") == reference.get("link")
    if entry["mode"] != reference["mode"]:
        return False
    if volatile:
        return (entry["masked"], entry["lines"], entry["pem"]) == (reference["masked"], reference["lines"],
                                                                     reference["pem"]) and entry["pem"] is not False
    return entry["sha"] == reference["sha"]


def complete_entries(entry, refs):
    """Every line is a whole entry (as many ':' fields as the entry of that name before or after the install)."""
    fields = {}
    for r in refs:
        for line in r.get("text_lines") or []:
            fields[line.split(":")[0]] = line.count(":")
    return all(fields.get(line.split(":")[0]) == line.count(":") for line in entry["text_lines"])


def load(path):
    with open(path) as f:
        return json.load(f)


def check(root, pristine, clean, volatile, mode):
    now = walk(root)
    problems = []
    volatile = set(volatile) | set(ALWAYS_VOLATILE)
    for rel, entry in sorted(now.items()):
        if rel == RECEIPT:
            continue
        if any(t.search(rel) for t in TEMP):
            problems.append(("temp " if mode == "killed" else "left behind: ") + rel)
            continue
        refs = [r for r in (pristine.get(rel), clean.get(rel)) if r is not None]
        if mode == "final":
            refs = [clean[rel]] if rel in clean else []
        if not refs:
            problems.append("unexpected " + rel)
        elif rel in LINE_MERGED and mode == "killed" and entry["newline"] and complete_entries(entry, refs):
            continue
        elif not any(same(entry, r, rel in volatile) for r in refs):
            problems.append("content of %s is neither the old nor the complete new one" % rel)
    if mode == "final":
        for rel in sorted(set(clean) - set(now) - {RECEIPT}):
            problems.append("missing " + rel)
    hard = [p for p in problems if not p.startswith("temp ")]
    for p in problems:
        print(p)
    return 1 if hard else 0


def installed(root):
    out = subprocess.run(["dpkg-query", "--admindir=%s/var/lib/dpkg" % root, "-W",
                          "-f=${Package} ${Version} ${db:Status-Abbrev}\n"], capture_output=True, text=True).stdout
    # Installed whatever the selection (a rollback that could not purge on a full disk leaves "pi").
    return {p[0]: p[1] for p in (l.split() for l in out.splitlines()) if len(p) >= 3 and p[2][1:2] == "i"}


def receipt(root, mode):
    path = os.path.join(root, "var/lib/agent-installer/receipt.json")
    if not os.path.exists(path):
        if mode == "final":
            print("no receipt")
            return 1
        return 0
    try:
        with open(path) as f:
            r = json.load(f)
    except ValueError as e:
        print("receipt is not complete JSON: %s" % e)
        return 1
    problems = []
    have = installed(root)
    if r.get("packages") != have:
        problems.append("receipt packages %s but dpkg-query says %s" % (r.get("packages"), have))
    if mode == "final" and r.get("exitCode") != 0:
        problems.append("receipt exitCode %s" % r.get("exitCode"))
    for f in r.get("files", []):
        if not os.path.lexists(os.path.join(root, f.lstrip("/"))):
            problems.append("receipt names %s, which is absent" % f)
    for p in problems:
        print(p)
    return 1 if problems else 0


def main(argv):
    cmd = argv[1]
    if cmd == "snapshot":
        with open(argv[3], "w") as f:
            json.dump(walk(argv[2]), f)
        return 0
    if cmd == "volatile":
        a, b = load(argv[2]), load(argv[3])
        diff = sorted(k for k in set(a) & set(b) if a[k] != b[k])
        with open(argv[4], "w") as f:
            json.dump(diff, f)
        print(" ".join(diff))
        return 0
    if cmd == "check":
        return check(argv[2], load(argv[3]), load(argv[4]), set(load(argv[5])), argv[6])
    if cmd == "receipt":
        return receipt(argv[2], argv[3])
    print("unknown command " + cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
