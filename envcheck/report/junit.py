"""The gate's verdict as JUnit XML: one <testcase> per policy rule (and one per expired waiver).

Written with xml.etree so escaping is right. The shape is the one GitHub test reporters (dorny/test-reporter,
mikepenz/action-junit-report) and GitLab (`artifacts:reports:junit`) read: <testsuites><testsuite tests= failures=
errors= skipped=><properties/><testcase classname= name= time=><failure message= type=>text</failure>
<skipped message=/><system-out/></testcase>.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from envcheck.output import sanitized


@sanitized
def render_junit(v) -> str:
    suites = ET.Element("testsuites", name="envcheck gate")
    tests, failures, skipped = _suite(suites, v, f"envcheck gate: {v.policy.name}", "envcheck.gate.{kind}")
    for el in suites.iter("testsuite"):
        _totals(el, tests, failures, skipped)
    _totals(suites, tests, failures, skipped)
    _indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


@sanitized
def render_junit_fleet(results) -> str:
    """`envcheck gate --fleet`: one <testsuite> per node and one <testcase> per node and rule (classname: the node);
    a node whose document could not be judged is one <testcase> with an <error>. results: [(node, Verdict | str)]."""
    suites = ET.Element("testsuites", name="envcheck gate --fleet")
    all_t = all_f = all_s = all_e = 0
    for node, v in results:
        if isinstance(v, str):
            suite = ET.SubElement(suites, "testsuite", name=f"envcheck gate: {node}")
            case = ET.SubElement(suite, "testcase", classname=node, name="document", time="0")
            ET.SubElement(case, "error", message=v, type="unreadable").text = v
            _totals(suite, 1, 0, 0, errors=1)
            all_t, all_e = all_t + 1, all_e + 1
            continue
        t, f, sk = _suite(suites, v, f"envcheck gate: {node}", node)
        _totals(suites[-1], t, f, sk)
        all_t, all_f, all_s = all_t + t, all_f + f, all_s + sk
    _totals(suites, all_t, all_f, all_s, errors=all_e)
    _indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _totals(el, tests, failures, skipped, errors: int = 0) -> None:
    el.set("tests", str(tests))
    el.set("failures", str(failures))
    el.set("errors", str(errors))
    el.set("skipped", str(skipped))
    el.set("time", "0")


def _suite(parent, v, name: str, classname: str):
    """One verdict as a <testsuite> under parent; classname may hold '{kind}' (the rule's kind)."""
    from envcheck.gate.verdict import expired_message

    suite = ET.SubElement(parent, "testsuite", name=name, timestamp=v.today.isoformat() + "T00:00:00")
    props = ET.SubElement(suite, "properties")
    for k, val in (("policy", v.policy.path), ("policy_sha256", v.policy.digest), ("matrix_version", v.matrix_version),
                   ("envcheck_version", v.envcheck_version), ("environment_source", v.environment_source),
                   ("verdict", v.status)):
        ET.SubElement(props, "property", name=k, value=str(val))
    tests = failures = skipped = 0
    for o in v.outcomes:
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=classname.replace("{kind}", o.rule.kind), name=o.rule.id,
                             file=v.policy.path, line=str(o.rule.line), time="0")
        if o.status == "fail":
            failures += 1
            el = ET.SubElement(case, "failure", message=o.summary, type=o.open_problems[0].code if o.open_problems
                               else "fail")
            el.text = _details(o)
        elif o.status == "skipped":
            skipped += 1
            ET.SubElement(case, "skipped", message=o.summary)
        out = []
        if o.status == "warn":
            out.append(f"WARNING (severity: warn, does not fail the gate): {o.summary}\n{_details(o)}")
        if o.waived_problems:
            out.extend(f"waived {p.code}: {p.message}" for p in o.waived_problems)
        out.extend(o.notes)
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    for st in v.expired:
        tests += 1
        failures += 1
        case = ET.SubElement(suite, "testcase", classname=classname.replace("{kind}", "waiver"),
                             name=f"waiver:{st.waiver.code}", file=v.policy.path, line=str(st.waiver.line), time="0")
        ET.SubElement(case, "failure", message=expired_message(st), type="gate-waiver-expired").text = (
            f"{v.policy.path}:{st.waiver.line}: {expired_message(st)}")
    ET.SubElement(suite, "system-out").text = "reproduce: " + v.reproduce()
    return tests, failures, skipped


def _details(o) -> str:
    """The failure's text under its message (the rule's summary): each sentence once, every fix command."""
    lines = [f"{o.rule.kind} rule {o.rule.id} (severity {o.rule.severity})"]
    single = len(o.open_problems) == 1
    for p in o.open_problems:
        lines.append(f"[{p.code}]" if single and p.message == o.summary else f"[{p.code}] {p.message}")
        lines.extend(f"  seen: {e}" for e in p.evidence_beyond(o.summary))
        lines.extend(f"  fix: {c}" for c in p.fix)
    return "\n".join(lines)


def _indent(elem, level: int = 0) -> None:
    pad = "\n" + "  " * level
    if len(elem):
        if not (elem.text and elem.text.strip()):
            elem.text = pad + "  "
        for child in elem:
            _indent(child, level + 1)
        if not (child.tail and child.tail.strip()):
            child.tail = pad
    if level and not (elem.tail and elem.tail.strip()):
        elem.tail = pad
