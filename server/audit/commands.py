"""`doorstep audit verify`: check the hash chain of the audit log."""

from __future__ import annotations

import argparse
import asyncio
import sys


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from server.audit.verify import verify_chain

    result = asyncio.run(verify_chain(args.expect_head))
    for problem in result["problems"]:
        print(f"事件 {problem['id']}: {problem['problem']}", file=sys.stderr)
    if result["ok"]:
        print(f"审计日志完整 (audit chain intact): {result['events']} events, head {result['head'] or '-'}")
        return 0
    print(f"审计日志被篡改 (audit chain BROKEN): {len(result['problems'])} problems in {result['events']} events", file=sys.stderr)
    return 1


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="the audit log").add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit.add_parser("verify", help="check the hash chain of the audit log; exit 1 when it was tampered with")
    verify.add_argument("--expect-head", help="the head hash noted earlier (detects events deleted at the end)")
    verify.set_defaults(func=cmd_audit_verify)
