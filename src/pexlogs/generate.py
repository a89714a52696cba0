"""Realistic, deterministic logs of a Pexip Infinity deployment, for demos, tests and benchmarks.

A management node and a few conferencing nodes log, over a time range:

- **support**: conferences whose participants join over SIP, H.323, WebRTC (the client REST API) and
  Microsoft Teams. One call carries the same call id on its SIP messages (``Call-ID`` header), ICE,
  media, participant and conference lines; a WebRTC call's REST exchange names its participant and
  call UUIDs. Also registrations, configuration changes and their replication, alarms, DNS lookups
  and some warnings/errors.
- **audit**: auditd records as audispd forwards them: SSH logins (PAM records), ``sudo`` commands
  (``USER_CMD`` then a ``SYSCALL``/``EXECVE``/``CWD``/``PATH``/``PROCTITLE``/``EOE`` group sharing one
  serial), watched-file access, cron sessions, service stops and starts.
- **web**: Apache access lines (combined format) of the admin UI, the management API pollers, the
  web app of WebRTC participants and some scanners.
- a few **malformed** lines (cut off), which the parser must quarantine.

Every line is composed from the grammar in ``docs/tables.md`` (and the format notes the project
follows); no third-party log text is copied. The same ``seed`` and arguments give the same lines.
Lines come out in event-time order (the syslog time at the start of each line), streamed, so a
million lines an hour costs memory only for the calls in progress.

>>> from datetime import UTC, datetime
>>> stats = GenerationStats()
>>> lines = list(generate_lines(datetime(2026, 1, 5, 9, tzinfo=UTC), 1, seed=7,
...                             lines_per_hour=500, stats=stats))
>>> sum(stats.lines.values()) == len(lines)
True

:func:`write_logs` writes one file per family (plus ``manifest.json``, the
:class:`GenerationStats` of what was generated) into a folder; ``pexlogs generate`` is its CLI.

What the named queries (``metadata/queries``) should return, from the stats:

- ``conferences_per_day``: ``stats.conferences_per_day()`` (conferences) and
  ``len(stats.conference_call_days[day])`` (calls);
- ``call_ids_per_hour``: ``stats.calls[call_id].hours`` (lines per ``YYYY-MM-DDTHH``);
- ``call_sip_messages``: ``stats.calls[call_id].messages["sip"]`` rows;
- ``call_rest_exchange``: ``stats.calls[call_id].messages["rest"]`` rows (WebRTC calls);
- ``conference_participants``: the calls with ``conference_id`` and ``messages["conference"] >= 2``;
- ``errors_per_hour``: ``stats.levels["ERROR"]`` / ``stats.levels["WARNING"]`` per hour;
- every line: ``stats.lines`` per family, of which ``stats.malformed`` land in ``unparsed_lines``.
"""

from __future__ import annotations

import base64
import gzip
import heapq
import io
import json
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, TypeVar

from pexlogs.exceptions import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from _typeshed import SupportsLenAndGetItem

_T = TypeVar("_T")

__all__ = [
    "DEFAULT_LINES_PER_HOUR",
    "FAMILIES",
    "GeneratedLine",
    "GenerationStats",
    "generate_lines",
    "write_logs",
]

FAMILIES: tuple[str, ...] = ("support", "audit", "web")
DEFAULT_LINES_PER_HOUR = 3000
DEFAULT_MALFORMED_RATE = 0.001
# Share of the lines each family gets (renormalised over the families asked for).
_FAMILY_SHARE = {"support": 0.78, "audit": 0.13, "web": 0.09}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CR = "^M"  # how Pexip writes a line break inside a value


class GeneratedLine(NamedTuple):
    """One generated log line: its family, its event time (= the syslog time it starts with, the
    CloudWatch event time an agent would give it) and the raw line (no trailing newline)."""

    family: str
    event_time: datetime
    line: str

    @property
    def timestamp_ms(self) -> int:
        """The event time in epoch milliseconds (what CloudWatch ``PutLogEvents`` takes)."""
        return (self.event_time - _EPOCH) // timedelta(milliseconds=1)


@dataclass
class CallInfo:
    """What was generated for one call (one participant's leg), keyed by its call id."""

    protocol: str
    conference: str
    conference_id: str
    participant: str
    display_name: str
    remote_address: str
    direction: str
    node: str
    conversation_id: str | None = None
    # Lines emitted (not malformed) per kind: sip, rest, ice, media, conference, participant,
    # h323, teams, bfcp, dns.
    messages: Counter[str] = field(default_factory=Counter)
    # Lines whose call id column holds this call id (Call-id, a SIP Call-ID header, an H.323
    # Uuid: every kind but REST), per hour ("YYYY-MM-DDTHH").
    hours: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "conference": self.conference,
            "conference_id": self.conference_id,
            "participant": self.participant,
            "display_name": self.display_name,
            "remote_address": self.remote_address,
            "direction": self.direction,
            "node": self.node,
            "conversation_id": self.conversation_id,
            "messages": dict(sorted(self.messages.items())),
            "hours": dict(sorted(self.hours.items())),
        }


@dataclass
class GenerationStats:
    """The manifest of a generation run, filled while :func:`generate_lines` is consumed.

    Counts only what was emitted inside the range (a call still running at the end has no
    disconnect lines); ``malformed`` lines are included in ``lines`` but never in a call's
    ``messages``.
    """

    start: str = ""
    end: str = ""
    seed: int = 0
    lines_per_hour: float = 0.0
    families: tuple[str, ...] = FAMILIES
    lines: Counter[str] = field(default_factory=Counter)
    malformed: Counter[str] = field(default_factory=Counter)
    # Support lines per module (``Name``), audit records per type, web lines per status class.
    kinds: Counter[str] = field(default_factory=Counter)
    # Support lines per level and hour: {"ERROR": {"2026-01-05T09": n}}.
    levels: dict[str, Counter[str]] = field(default_factory=dict)
    # Conference instances: conference id -> {"name", "alias", "node", "start"}.
    conferences: dict[str, dict[str, str]] = field(default_factory=dict)
    # Conference ids seen on ``administrator.conference`` lines that carry one, per UTC day, and
    # the call ids on those lines.
    conference_days: dict[str, set[str]] = field(default_factory=dict)
    conference_call_days: dict[str, set[str]] = field(default_factory=dict)
    calls: dict[str, CallInfo] = field(default_factory=dict)
    registrations: int = 0
    configuration_changes: int = 0
    alarms: int = 0
    audit_events: int = 0

    @property
    def total_lines(self) -> int:
        return sum(self.lines.values())

    def conferences_per_day(self) -> dict[str, int]:
        """Distinct conference ids on ``administrator.conference`` lines per day (what the
        ``conferences_per_day`` named query counts)."""
        return {day: len(ids) for day, ids in sorted(self.conference_days.items())}

    def calls_by_protocol(self) -> dict[str, int]:
        return dict(sorted(Counter(c.protocol for c in self.calls.values()).items()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready manifest (``manifest.json`` of ``pexlogs generate``)."""
        return {
            "start": self.start,
            "end": self.end,
            "seed": self.seed,
            "lines_per_hour": self.lines_per_hour,
            "families": list(self.families),
            "total_lines": self.total_lines,
            "lines": dict(sorted(self.lines.items())),
            "malformed": dict(sorted(self.malformed.items())),
            "kinds": dict(sorted(self.kinds.items())),
            "levels": {k: dict(sorted(v.items())) for k, v in sorted(self.levels.items())},
            "conferences_per_day": self.conferences_per_day(),
            "conferences": self.conferences,
            "conference_days": {d: sorted(ids) for d, ids in sorted(self.conference_days.items())},
            "conference_call_days": {
                d: sorted(ids) for d, ids in sorted(self.conference_call_days.items())
            },
            "calls_by_protocol": self.calls_by_protocol(),
            "calls": {cid: c.to_dict() for cid, c in self.calls.items()},
            "registrations": self.registrations,
            "configuration_changes": self.configuration_changes,
            "alarms": self.alarms,
            "audit_events": self.audit_events,
        }


# ---------------------------------------------------------------------------------------------
# The deployment: fixed names (documentation domains and address ranges, RFC 2606/5737).

_DOMAIN = "example.com"
_NODE_DOMAIN = "example.net"
_RELEASES = ("34.1 (79015.0.0)", "33.2 (76481.0.0)")


@dataclass(frozen=True)
class _Node:
    host: str  # what the node writes as the syslog "system" (a name, or an IP on some nodes)
    name: str
    address: str
    fqdn: str
    location: str
    legacy_details: bool  # an older release: Python-literal REST details


_MGMT = _Node("pexmgmt01", "pexmgmt01", "10.40.0.10", f"pexmgmt01.{_NODE_DOMAIN}", "Oslo", False)
_CONF_NODES = (
    _Node("pexconf01", "pexconf01", "10.40.1.11", f"pexconf01.{_NODE_DOMAIN}", "Oslo", False),
    _Node("pexconf02", "pexconf02", "10.40.1.12", f"pexconf02.{_NODE_DOMAIN}", "Oslo", False),
    _Node("10.40.2.21", "pexconf03", "10.40.2.21", f"pexconf03.{_NODE_DOMAIN}", "London", True),
    _Node("pexconf04", "pexconf04", "10.40.2.22", f"pexconf04.{_NODE_DOMAIN}", "London", False),
)
_ALL_NODES = (_MGMT, *_CONF_NODES)

_FIRST = (
    "alice", "bjorn", "chen", "dagny", "emeka", "fatima", "gustav", "hanna", "ingrid", "jonas",
    "kari", "liam", "maja", "nils", "olga", "priya", "rune", "sofie", "tariq", "ulla", "vera",
    "wei", "yusuf", "zara", "åse", "øystein",
)  # fmt: skip
_LAST = (
    "berg", "dahl", "eriksen", "fosse", "haugen", "iversen", "johansen", "kumar", "larsen",
    "moen", "nguyen", "olsen", "pedersen", "rahman", "solberg", "tan", "vik", "wang", "ødegård",
)  # fmt: skip
_ROOM_SITES = ("oslo", "bergen", "london", "leeds", "trondheim", "stavanger")
_ROOM_AGENTS = (
    "Cisco/RoomOS ce11.14",
    "TANDBERG/529 (ce9.15)",
    "Poly/RealPresence Group 500 6.2.2",
    "Yealink SIP-VC800 63.345",
    "Lifesize Icon_600/LS_RM3_3.12",
)
_H323_VENDORS = ("Polycom HDX 8000", "Cisco TelePresence MX300", "Lifesize Team 220")
_BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
)
_SCANNER_AGENTS = ("curl/8.5.0", "Go-http-client/1.1", "-", "zgrab/0.x")
_EXTERNAL_NETS = ("198.51.100", "203.0.113", "192.0.2")
_ADMINS = ("admin", "netops", "kari.admin")


def _vmrs() -> tuple[tuple[str, str], ...]:
    """(conference name, alias) of the virtual meeting rooms."""
    personal = tuple((f"meet.{n}", f"meet.{n}") for n in _FIRST[:14])
    teams = (
        ("Sales weekly", "sales.weekly"),
        ("Engineering standup", "eng.standup"),
        ("Board meeting", "board"),
        ("Support huddle", "support.huddle"),
        ("All hands", "allhands"),
        ("Teams bridge", "teams.bridge"),
    )
    return personal + teams


_VMRS = _vmrs()


# ---------------------------------------------------------------------------------------------
# Small fast helpers.


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _b64(rng: random.Random, nbytes: int) -> str:
    return base64.b64encode(rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")).decode()


def _display(first: str, last: str) -> str:
    return f"{first.capitalize()} {last.capitalize()}"


def _external_ip(rng: random.Random) -> str:
    return f"{rng.choice(_EXTERNAL_NETS)}.{rng.randrange(2, 254)}"


class _Clock:
    """Formats epoch milliseconds as the two times a line carries, caching per second."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[str, str, str, str]] = {}

    def parts(self, ms: int) -> tuple[str, str, str, str]:
        sec = ms // 1000
        got = self._cache.get(sec)
        if got is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            tm = time.gmtime(sec)
            date = f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}"
            hms = f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
            months = "JanFebMarAprMayJunJulAugSepOctNovDec"
            month = months[(tm.tm_mon - 1) * 3 : tm.tm_mon * 3]
            apache = f"{tm.tm_mday:02d}/{month}/{tm.tm_year:04d}:{hms} +0000"
            got = (date, hms, apache, f"{date}T{tm.tm_hour:02d}")
            self._cache[sec] = got
        return got

    def syslog(self, ms: int) -> str:
        date, hms, _, _ = self.parts(ms)
        return f"{date}T{hms}.{ms % 1000:03d}+00:00"

    def hour_key(self, ms: int) -> str:
        return self.parts(ms)[3]


class _FastRandom(random.Random):
    """``randrange``/``choice`` from one ``random()`` call: several times faster than the exact,
    bias-free versions, and the bias (under 1e-15) does not matter for generated logs."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq: SupportsLenAndGetItem[_T]) -> _T:
        return seq[int(self.random() * len(seq))]


class _Call:
    """Per-call bookkeeping while its lines are being composed."""

    __slots__ = ("info", "key")

    def __init__(self, key: str, info: CallInfo) -> None:
        self.key = key
        self.info = info


# ---------------------------------------------------------------------------------------------
# The generator.


class _Generator:
    def __init__(
        self,
        start_ms: int,
        end_ms: int,
        *,
        seed: int,
        lines_per_hour: float,
        families: Sequence[str],
        malformed_rate: float,
        stats: GenerationStats,
    ) -> None:
        self.rng = _FastRandom(seed)
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.families = frozenset(families)
        self.ms_per_line = 3_600_000.0 / lines_per_hour
        self.malformed_rate = malformed_rate
        self.stats = stats
        self.clock = _Clock()
        self.heap: list[tuple[int, int, str, str]] = []
        self.seq = 0
        self.emitted = 0
        self.audit_serial = {n.fqdn: 1000 + self.rng.randrange(50_000) for n in _ALL_NODES}
        self.audit_pid = 2000 + self.rng.randrange(5000)
        self.audit_session = 1 + self.rng.randrange(400)
        total = sum(_FAMILY_SHARE[f] for f in self.families)
        self.share = {f: _FAMILY_SHARE[f] / total for f in self.families}
        self.family_lines: Counter[str] = Counter()
        # The first malformed line comes within the first 1/rate lines.
        self.malformed_countdown = 1 + int(
            self.rng.random() / malformed_rate if malformed_rate > 0 else 0
        )
        self.alarm_active: dict[str, int] = {}

    # -- emitting ---------------------------------------------------------------------------

    def _push(self, ms: int, family: str, line: str) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (ms, self.seq, family, line))
        self.emitted += 1
        self.family_lines[family] += 1
        self.stats.lines[family] += 1

    def _maybe_malformed(self, ms: int, family: str, line: str) -> bool:
        """Replace a line by a cut-off copy now and then (the parser must quarantine it).

        A countdown, not a coin per line: gaps average ``1 / malformed_rate`` lines and never
        exceed twice that, so even a small run has its few malformed lines.
        """
        if self.malformed_rate <= 0:
            return False
        self.malformed_countdown -= 1
        if self.malformed_countdown > 0:
            return False
        rng = self.rng
        self.malformed_countdown = 1 + int(rng.random() * 2 / self.malformed_rate)
        if family == "support":
            # Cut inside the last value so it never closes.
            pos = line.rfind('="')
            if pos < 0:
                return False
            cut = pos + 2 + rng.randrange(max(1, len(line) - pos - 3))
            bad = line[:cut].rstrip('"\\ ')
            if bad.endswith("="):
                bad += '"'
        elif family == "audit":
            pos = line.find("msg=audit(")
            bad = line[: pos + 10 + rng.randrange(1, 8)] if pos >= 0 else line[: len(line) // 2]
        else:
            pos = line.find('"')
            bad = line[: pos + 2 + rng.randrange(1, 6)] if pos >= 0 else line[: len(line) // 2]
        self._push(ms, family, bad)
        self.stats.malformed[family] += 1
        return True

    def support(
        self,
        ms: int,
        node: _Node,
        level: str,
        name: str,
        message: str,
        pairs: str,
        call: _Call | None = None,
        kind: str = "",
        conference_id: str | None = None,
        protect: bool = False,
    ) -> None:
        """One support line: ``pairs`` is the already formatted `` Key="value"…`` tail."""
        if ms >= self.end_ms or "support" not in self.families:
            return
        date, hms, _, hour = self.clock.parts(ms)
        milli = ms % 1000
        # The node wrote the line 1-5 ms before the syslog server stamped it.
        orig_milli = milli - 1 - (ms % 5)
        if orig_milli >= 0:
            odate, ohms = date, hms
        else:
            odate, ohms, _, _ = self.clock.parts(ms - 1 - (ms % 5))
            orig_milli += 1000
        line = (
            f"{date}T{hms}.{milli:03d}+00:00 {node.host} {odate} {ohms},{orig_milli:03d} "
            f'Level="{level}" Name="{name}" Message="{message}"{pairs}'
        )
        if not protect and self._maybe_malformed(ms, "support", line):
            return
        self._push(ms, "support", line)
        stats = self.stats
        stats.kinds["support:" + name] += 1
        if level != "INFO":
            stats.levels.setdefault(level, Counter())[hour] += 1
        if call is not None:
            call.info.messages[kind] += 1
            if kind != "rest":  # REST lines name the call in paths and bodies, not in Call-id
                call.info.hours[hour] += 1
        if conference_id is not None:
            day = hour[:10]
            stats.conference_days.setdefault(day, set()).add(conference_id)
            if call is not None:
                stats.conference_call_days.setdefault(day, set()).add(call.key)

    def audit(self, ms: int, node: _Node, rtype: str, serial: int, body: str) -> None:
        if ms + 2 >= self.end_ms or "audit" not in self.families:
            return
        sec, milli = divmod(ms, 1000)
        line = (
            f"{self.clock.syslog(ms + 2)} {node.host} audispd: node={node.fqdn} type={rtype} "
            f"msg=audit({sec}.{milli:03d}:{serial}):{' ' if body else ''}{body}"
        )
        if self._maybe_malformed(ms + 2, "audit", line):
            return
        self._push(ms + 2, "audit", line)
        self.stats.kinds[f"audit:{rtype}"] += 1

    def web(
        self,
        ms: int,
        node: _Node,
        client: str,
        user: str,
        request: str,
        status: int,
        size: int | None,
        referer: str,
        agent: str,
    ) -> None:
        if ms >= self.end_ms or "web" not in self.families:
            return
        apache_time = self.clock.parts(ms)[2]
        nbytes = "-" if size is None else str(size)
        line = (
            f"{self.clock.syslog(ms)} {node.host} apache2: {client} - {user} [{apache_time}] "
            f'"{request}" {status} {nbytes} "{referer}" "{agent}"'
        )
        if self._maybe_malformed(ms, "web", line):
            return
        self._push(ms, "web", line)
        self.stats.kinds[f"web:{status // 100}xx"] += 1

    # -- the schedule -----------------------------------------------------------------------

    def run(self) -> Iterator[tuple[int, str, str]]:
        """Yield (event ms, family, line) in event-time order."""
        rng = self.rng
        t = self.start_ms
        heap = self.heap
        scenarios = {
            "support": (
                (self.conference, 62),
                (self.registration, 14),
                (self.options_ping, 6),
                (self.configuration_change, 5),
                (self.dns_lookup, 4),
                (self.alarm, 3),
                (self.support_error, 4),
                (self.system_event, 1),
            ),
            "audit": (
                (self.audit_ssh_session, 30),
                (self.audit_watch, 25),
                (self.audit_cron, 35),
                (self.audit_service, 10),
            ),
            "web": (
                (self.web_status_poll, 45),
                (self.web_admin_session, 35),
                (self.web_scanner, 20),
            ),
        }
        choices = {
            f: ([s for s, _ in scenarios[f]], [w for _, w in scenarios[f]]) for f in self.families
        }
        families = sorted(self.families)
        while t < self.end_ms:
            # The family furthest below its share of the lines goes next, so the mix holds at
            # any rate; the next start time follows from the lines produced so far, so the
            # total comes out at the asked rate whatever each scenario's size.
            total = max(1, self.emitted)
            family = min(families, key=lambda f: self.family_lines[f] / total - self.share[f])
            funcs, weights = choices[family]
            before = self.emitted
            rng.choices(funcs, weights)[0](t)
            if self.emitted == before:
                self.family_lines[family] += 1  # nothing landed in range: don't pick it forever
            target = self.start_ms + int(self.emitted * self.ms_per_line)
            t = max(t + 1, target + rng.randrange(0, max(1, int(self.ms_per_line))))
            while heap and heap[0][0] < t:
                ms, _, fam, line = heapq.heappop(heap)
                yield ms, fam, line
        while heap:
            ms, _, fam, line = heapq.heappop(heap)
            yield ms, fam, line

    # -- support scenarios ------------------------------------------------------------------

    def _person(self) -> tuple[str, str, str]:
        """(display name, SIP user part, alias) of a person or a room system."""
        rng = self.rng
        if rng.random() < 0.45:
            site = rng.choice(_ROOM_SITES)
            num = rng.randrange(1, 12)
            return f"{site.capitalize()} Room {num}", f"room.{site}.{num}", ""
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        return _display(first, last), f"{first}.{last}", ""

    def conference(self, t: int) -> None:
        rng = self.rng
        name, alias = rng.choice(_VMRS)
        node = rng.choice(_CONF_NODES)
        conf_id = _uuid(rng)
        duration = rng.randrange(5 * 60_000, 55 * 60_000)
        self.stats.conferences[conf_id] = {
            "name": name,
            "alias": alias,
            "node": node.name,
            "start": self.clock.syslog(t),
        }
        n = 2 + int(rng.expovariate(0.45))
        is_teams_bridge = alias == "teams.bridge"
        for i in range(min(n, 12)):
            # Nothing a scenario emits may precede its start t (lines come out in time order):
            # the first participant joins 5 s in, leaving room for the lines before a join.
            join = t + 5000 + (0 if i == 0 else rng.randrange(0, duration // 3))
            leave = t + duration - rng.randrange(0, 90_000)
            if rng.random() < 0.15:
                leave = join + rng.randrange(20_000, max(30_000, leave - join))
            r = rng.random()
            if is_teams_bridge and i == 0:
                proto = "TEAMS"
            elif r < 0.42:
                proto = "SIP"
            elif r < 0.80:
                proto = "WebRTC"
            elif r < 0.93:
                proto = "H323"
            else:
                proto = "TEAMS"
            if proto == "SIP":
                self.sip_call(join, leave, node, name, alias, conf_id)
            elif proto == "WebRTC":
                self.webrtc_call(join, leave, node, name, alias, conf_id)
            elif proto == "H323":
                self.h323_call(join, leave, node, name, alias, conf_id)
            else:
                self.teams_call(join, leave, node, name, alias, conf_id)

    def _new_call(
        self,
        call_id: str,
        proto: str,
        name: str,
        conf_id: str,
        participant: str,
        display: str,
        remote: str,
        direction: str,
        node: _Node,
        conversation_id: str | None = None,
    ) -> _Call:
        info = CallInfo(
            protocol=proto,
            conference=name,
            conference_id=conf_id,
            participant=participant,
            display_name=display,
            remote_address=remote,
            direction=direction,
            node=node.name,
            conversation_id=conversation_id,
        )
        self.stats.calls[call_id] = info
        return _Call(call_id, info)

    def _conference_lines(
        self,
        call: _Call,
        node: _Node,
        join: int,
        leave: int,
        alias_dialled: str,
        vendor: str,
        role: str,
    ) -> None:
        """The administrator.conference lines of one participant (attempt, joined, left)."""
        info = call.info
        conv = info.conversation_id or call.key
        pid = _uuid(self.rng)
        common = (
            f' Conference="{info.conference}" Service-tag="" Service-type="conference"'
            f' ConferenceAlias="{alias_dialled}" Participant="{info.participant}"'
            f' DisplayName="{info.display_name}" Protocol="{info.protocol}"'
            f' Direction="{info.direction}" Call-id="{call.key}" Conversation-id="{conv}"'
            f' Participant-id="{pid}" Remote-address="{info.remote_address}"'
        )
        nodes = (
            f' Signaling-node="{node.address}" Signaling-location="{node.location}"'
            f' Media-node="{node.address}" Location="{node.location}"'
        )
        self.support(
            join + 3,
            node,
            "INFO",
            "administrator.conference",
            "Participant attempting to join conference.",
            f' ConferenceAlias="{alias_dialled}" Participant="{info.participant}"'
            f' Protocol="{info.protocol}" Direction="{info.direction}"'
            f' Remote-Address="{info.remote_address}" Participant-Id="{pid}"'
            f' Call-id="{call.key}" Location="{node.location}"',
            call,
            "conference",
            protect=True,
        )
        tail = (
            f' Licenses="1" License-type="port" Conference-ID="{info.conference_id}"'
            f' Registered="False" Vendor="{vendor}" Role="{role}"'
        )
        self.support(
            join + 900,
            node,
            "INFO",
            "administrator.conference",
            "Participant has joined.",
            common + nodes + tail,
            call,
            "conference",
            info.conference_id,
            protect=True,
        )
        dur = (leave - join - 900) / 1000
        self.support(
            leave + 40,
            node,
            "INFO",
            "administrator.conference",
            "Participant has disconnected.",
            common + nodes + tail + f' Duration="{dur:.3f}" Detail="Call disconnected"',
            call,
            "conference",
            info.conference_id,
            protect=True,
        )

    def _media_lines(self, call: _Call, node: _Node, t: int, leave: int, remote: str) -> int:
        """support.media stream lines (and presentation, sometimes); returns the first port."""
        rng = self.rng
        port = 40000 + 2 * rng.randrange(0, 4000)
        rport = 2 * rng.randrange(8000, 30000)
        streams = (("0", "audio"), ("1", "video"))
        for sid, mtype in streams:
            self.support(
                t + 5 + int(sid),
                node,
                "INFO",
                "support.media",
                "Media stream created",
                f' Call-id="{call.key}" Stream-id="{sid}" Media-type="{mtype}" Mode="sendrecv"'
                f' Local-address="{node.address}" Local-port="{port + 2 * int(sid)}"',
                call,
                "media",
            )
            self.support(
                t + 180 + int(sid),
                node,
                "INFO",
                "support.media",
                "Media stream latching to new remote address",
                f' Call-id="{call.key}" Stream-id="{sid}" Media-type="{mtype}" Component-id="1"'
                f' Latched-remote-address="{remote}" Latched-remote-port="{rport + 2 * int(sid)}"'
                f' Signalled-remote-address="{remote}"'
                f' Signalled-remote-port="{rport + 2 * int(sid)}"',
                call,
                "media",
            )
            self.support(
                leave + 10 + int(sid),
                node,
                "INFO",
                "support.media",
                "Media stream destroyed",
                f' Call-id="{call.key}" Stream-id="{sid}" Media-type="{mtype}" Mode="sendrecv"',
                call,
                "media",
            )
        if rng.random() < 0.25 and leave - t > 60_000:
            # This participant presents for a while.
            p0 = t + rng.randrange(10_000, (leave - t) // 2)
            p1 = p0 + rng.randrange(5_000, (leave - p0))
            conv = call.info.conversation_id or call.key
            for ms, msg in (
                (p0, "Participant started presenting"),
                (p1, "Participant stopped presenting"),
            ):
                self.support(
                    ms,
                    node,
                    "INFO",
                    "support.participant",
                    msg,
                    f' Conference="{call.info.conference}" Service-tag=""'
                    f' Participant="{call.info.participant}" Call-id="{call.key}"'
                    f' Conversation-id="{conv}" Presenter="{call.info.display_name}"',
                    call,
                    "participant",
                )
            self.support(
                p0 + 150,
                node,
                "INFO",
                "support.media",
                "Media stream created",
                f' Call-id="{call.key}" Stream-id="3" Media-type="presentation" Mode="sendonly"'
                f' Local-address="{node.address}" Local-port="{port + 6}"',
                call,
                "media",
            )
        return port

    def _ice_lines(self, call: _Call, node: _Node, t: int, remote: str, port: int) -> None:
        rng = self.rng
        rport = rng.randrange(49152, 65000)
        ctype = rng.choice(("srflx", "prflx", "host"))
        for sid, mtype in (("0", "audio"), ("1", "video")):
            base = f' Call-id="{call.key}" Media-type="{mtype}" Stream-id="{sid}" Component-id="1"'
            self.support(
                t + 60 + int(sid),
                node,
                "INFO",
                "support.ice",
                "ICE state changed",
                base + ' State="checking"',
                call,
                "ice",
            )
            self.support(
                t + 140 + int(sid),
                node,
                "INFO",
                "support.ice",
                "ICE new-selected-pair event",
                base + f' Local-candidate-type="host" Local-candidate-address="{node.address}"'
                f' Local-candidate-port="{port + 2 * int(sid)}" Local-candidate-transport="udp"'
                f' Remote-candidate-type="{ctype}" Remote-candidate-address="{remote}"'
                f' Remote-candidate-port="{rport + 2 * int(sid)}" Remote-candidate-transport="udp"',
                call,
                "ice",
            )
            self.support(
                t + 150 + int(sid),
                node,
                "INFO",
                "support.ice",
                "ICE state changed",
                base + ' State="completed"',
                call,
                "ice",
            )

    def _sdp(self, address: str, port: int, webrtc: bool) -> str:
        rng = self.rng
        sess = rng.randrange(10**9, 2 * 10**9)
        if webrtc:
            ufrag, pwd = _hex(rng, 8), _b64(rng, 18)
            fp_hex = _hex(rng, 64).upper()
            fp = ":".join(fp_hex[i : i + 2] for i in range(0, 64, 2))
            parts = [
                "v=0",
                f"o=- {sess} 2 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "a=group:BUNDLE 0 1",
                f"m=audio {port} UDP/TLS/RTP/SAVPF 111 0 8",
                f"c=IN IP4 {address}",
                f"a=candidate:1 1 udp 2122260223 {address} {port} typ host",
                f"a=ice-ufrag:{ufrag}",
                f"a=ice-pwd:{pwd}",
                f"a=fingerprint:sha-256 {fp}",
                "a=setup:actpass",
                "a=mid:0",
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 minptime=10;useinbandfec=1",
                "a=sendrecv",
                f"m=video {port} UDP/TLS/RTP/SAVPF 96 98",
                f"c=IN IP4 {address}",
                "a=mid:1",
                "a=rtpmap:96 VP8/90000",
                "a=rtpmap:98 VP9/90000",
                "a=sendrecv",
                "",
            ]
        else:
            k1, k2 = _b64(rng, 30), _b64(rng, 30)
            parts = [
                "v=0",
                f"o=- {sess} {sess + 1} IN IP4 {address}",
                "s=-",
                f"c=IN IP4 {address}",
                "b=AS:2048",
                "t=0 0",
                f"m=audio {port} RTP/SAVP 108 9 101",
                "a=rtpmap:108 MP4A-LATM/90000",
                "a=fmtp:108 profile-level-id=24;object=23;bitrate=64000",
                "a=rtpmap:9 G722/8000",
                "a=rtpmap:101 telephone-event/8000",
                "a=fmtp:101 0-15",
                f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{k1}",
                "a=sendrecv",
                f"m=video {port + 2} RTP/SAVP 97",
                "b=TIAS:1920000",
                "a=rtpmap:97 H264/90000",
                "a=fmtp:97 profile-level-id=42e01f;packetization-mode=1;max-mbps=245000;max-fs=8160",
                f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{k2}",
                "a=content:main",
                "a=sendrecv",
                "",
            ]
        return _CR.join(parts)

    def _sip(
        self,
        ms: int,
        node: _Node,
        call: _Call,
        received: bool,
        start_line: str,
        headers: list[str],
        body: str,
        local_port: int,
        remote: str,
        remote_port: int,
        content_type: str = "application/sdp",
    ) -> None:
        hdrs = list(headers)
        if body:
            hdrs.append(f"Content-Type: {content_type}")
        hdrs.append(f"Content-Length: {len(body)}")
        detail = _CR + start_line + _CR + _CR.join(hdrs) + _CR + _CR + body
        is_request = not start_line.startswith("SIP/2.0")
        what = "request" if is_request else "response"
        if received:
            message = f"Received SIP {what}"
            addrs = (
                f' Src-address="{remote}" Src-port="{remote_port}"'
                f' Dst-address="{node.address}" Dst-port="{local_port}" Transport="TLS"'
            )
        else:
            message = f"Sending SIP {what}"
            addrs = (
                f' Src-address="{node.address}" Src-port="{local_port}"'
                f' Dst-address="{remote}" Dst-port="{remote_port}" Transport="TLS"'
            )
        self.support(
            ms, node, "INFO", "support.sip", message, f'{addrs} Detail="{detail}"', call, "sip"
        )

    def sip_call(
        self, join: int, leave: int, node: _Node, name: str, alias: str, conf_id: str
    ) -> None:
        rng = self.rng
        display, user, _ = self._person()
        call_id = _uuid(rng)
        remote = (
            _external_ip(rng)
            if rng.random() < 0.6
            else f"10.50.{rng.randrange(1, 40)}.{rng.randrange(2, 250)}"
        )
        rport = 5061 if rng.random() < 0.5 else rng.randrange(30000, 60000)
        agent = (
            rng.choice(_ROOM_AGENTS) if user.startswith("room.") else "Pexip Infinity Connect/1.13"
        )
        dial_out = rng.random() < 0.12
        participant = f"sip:{user}@{_DOMAIN}"
        call = self._new_call(
            call_id, "SIP", name, conf_id, participant, display, remote,
            "out" if dial_out else "in", node,
        )  # fmt: skip
        conf_uri = f"{alias}@{_DOMAIN}"
        ftag, ttag = _hex(rng, 10), _hex(rng, 10)
        branch = "z9hG4bK" + _hex(rng, 24)
        lport = 5061
        if dial_out:
            # administrator.participantdialer, a DNS lookup, then Pexip is the caller.
            self.support(
                join - 200,
                node,
                "INFO",
                "administrator.participantdialer",
                "Dialing participant.",
                f' Conference="{name}" ConferenceAlias="{conf_uri}" DisplayName="{display}"'
                f' Participant-alias="{participant}" Protocol="SIP" Role="guest"',
            )
            self.support(
                join - 150,
                node,
                "INFO",
                "support.dns",
                "SRV record lookup successful",
                f' Call-id="{call_id}" Type="SRV" Service="_sips._tcp.{_DOMAIN}"'
                f' Path="SRV(_sips._tcp.{_DOMAIN})=>A(sip.{_DOMAIN})" Result="{remote}"'
                f' Port="{rport}" Transport="TLS" Microsoft="False"',
                call,
                "dns",
            )
            lport = rng.randrange(33000, 60000)
            frm = f'From: "{name}" <sip:{conf_uri}>;tag={ftag}'
            to = f"To: <{participant}>"
            base = [
                f"Via: SIP/2.0/TLS {node.address}:{lport};branch={branch};rport",
                f"Call-ID: {call_id}",
            ]
            sdp = self._sdp(node.address, 40000 + 2 * rng.randrange(4000), False)
            self._sip(join, node, call, False, f"INVITE {participant} SIP/2.0",
                      [*base, "CSeq: 1 INVITE", f"Contact: <sip:{conf_uri};transport=tls>", frm,
                       to, "Max-Forwards: 70", "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,INFO,OPTIONS,REFER,NOTIFY",
                       f"User-Agent: Pexip Infinity Conferencing Platform/{_RELEASES[0]}"],
                      sdp, lport, remote, rport)  # fmt: skip
            self._sip(join + 60, node, call, True, "SIP/2.0 100 Trying",
                      [*base, "CSeq: 1 INVITE", frm, to], "", lport, remote, rport)  # fmt: skip
            self._sip(join + 700, node, call, True, "SIP/2.0 180 Ringing",
                      [*base, "CSeq: 1 INVITE", frm, f"{to};tag={ttag}"], "", lport, remote, rport)  # fmt: skip
            answer = self._sdp(remote, 2 * rng.randrange(8000, 30000), False)
            self._sip(join + 4200, node, call, True, "SIP/2.0 200 OK",
                      [*base, "CSeq: 1 INVITE", frm, f"{to};tag={ttag}", f"Server: {agent}"],
                      answer, lport, remote, rport)  # fmt: skip
            self._sip(join + 4230, node, call, False, f"ACK {participant} SIP/2.0",
                      [*base, "CSeq: 1 ACK", frm, f"{to};tag={ttag}"], "", lport, remote, rport)  # fmt: skip
            media_t = join + 4300
        else:
            frm = f'From: "{display}" <{participant}>;tag={ftag}'
            to = f"To: <sip:{conf_uri}>"
            base = [
                f"Via: SIP/2.0/TLS {remote}:{rport};branch={branch};rport",
                f"Call-ID: {call_id}",
            ]
            sdp = self._sdp(remote, 2 * rng.randrange(8000, 30000), False)
            self._sip(join, node, call, True, f"INVITE sip:{conf_uri} SIP/2.0",
                      [*base, "CSeq: 100 INVITE", f"Contact: <{participant};transport=tls>", frm, to,
                       "Max-Forwards: 70", "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,INFO,OPTIONS,REFER,NOTIFY",
                       f"User-Agent: {agent}", "Supported: replaces,timer", "Session-Expires: 1800"],
                      sdp, lport, remote, rport)  # fmt: skip
            self._sip(join + 12, node, call, False, "SIP/2.0 100 Trying",
                      [*base, "CSeq: 100 INVITE", frm, to], "", lport, remote, rport)  # fmt: skip
            answer = self._sdp(node.address, 40000 + 2 * rng.randrange(4000), False)
            self._sip(join + 420, node, call, False, "SIP/2.0 200 OK",
                      [*base, "CSeq: 100 INVITE", f"Contact: <sip:{alias}@{node.address}:5061;transport=tls>;isfocus",
                       frm, f"{to};tag={ttag}", f"Server: Pexip Infinity Conferencing Platform/{_RELEASES[0]}",
                       "Supported: timer", "Session-Expires: 1800;refresher=uac"],
                      answer, lport, remote, rport)  # fmt: skip
            self._sip(join + 510, node, call, True, f"ACK sip:{alias}@{node.address}:5061;transport=tls SIP/2.0",
                      [*base, "CSeq: 100 ACK", frm, f"{to};tag={ttag}"], "", lport, remote, rport)  # fmt: skip
            media_t = join + 520
        self._conference_lines(call, node, join, leave, conf_uri, agent, "guest")
        port = self._media_lines(call, node, media_t, leave, remote)
        if rng.random() < 0.4:
            self._ice_lines(call, node, media_t, remote, port)
        if rng.random() < 0.2:
            self.support(
                media_t + 2500,
                node,
                "INFO",
                "support.bfcp",
                "Received BFCP message",
                f' Src-address="{remote}" Src-port="{rng.randrange(30000, 60000)}"'
                f' Dst-address="{node.address}" Dst-port="{port + 4}" Call-id="{call_id}"'
                # BFCP (RFC 8855) Hello: primitive 11, conference/user ids from the SDP.
                f' Detail="Hello(CommonHeader(version=1, reserved=0, primitive=11,'
                f" payload_length=0, conference_id={rng.randrange(1, 9)},"
                f' trans_id={rng.randrange(1, 200)}, user_id={rng.randrange(2, 40)}))"',
                call,
                "bfcp",
            )
        # The far end hangs up.
        bye_cseq = "CSeq: 101 BYE" if not dial_out else "CSeq: 2 BYE"
        if dial_out:
            self._sip(leave, node, call, False, f"BYE {participant} SIP/2.0",
                      [*base, bye_cseq, frm, f"{to};tag={ttag}"], "", lport, remote, rport)  # fmt: skip
            self._sip(leave + 80, node, call, True, "SIP/2.0 200 OK",
                      [*base, bye_cseq, frm, f"{to};tag={ttag}"], "", lport, remote, rport)  # fmt: skip
        else:
            self._sip(leave, node, call, True, f"BYE sip:{alias}@{node.address}:5061;transport=tls SIP/2.0",
                      [*base, bye_cseq, frm, f"{to};tag={ttag}"], "", lport, remote, rport)  # fmt: skip
            self._sip(leave + 9, node, call, False, "SIP/2.0 200 OK",
                      [*base, bye_cseq, frm, f"{to};tag={ttag}"], "", lport, remote, rport)  # fmt: skip

    def _detail(self, node: _Node, obj: dict[str, Any]) -> str:
        """A REST Detail value: JSON with escaped quotes, or a Python literal on older nodes."""
        if node.legacy_details:
            return repr(obj)
        return json.dumps(obj, ensure_ascii=False).replace('"', '\\"')

    def _rest(
        self,
        ms: int,
        node: _Node,
        call: _Call,
        proxy: str,
        proxy_port: int,
        client: str,
        path: str,
        request: dict[str, Any] | None,
        response: dict[str, Any],
        uuid: str | None,
        took: int,
    ) -> None:
        req_detail = "" if request is None else f' Detail="{self._detail(node, request)}"'
        self.support(
            ms,
            node,
            "INFO",
            "support.rest",
            "Received REST API request",
            f' Src-address="{proxy}" Src-port="{proxy_port}" Dst-address="{node.address}"'
            f' Dst-port="443" Fwd-address="{client}" Request="{path}"{req_detail}',
            call,
            "rest",
        )
        uuid_pair = f' Uuid="{uuid}"' if uuid else ""
        self.support(
            ms + took,
            node,
            "INFO",
            "support.rest",
            "Sending REST API response",
            f' Src-address="{node.address}" Src-port="443" Dst-address="{proxy}"'
            f' Dst-port="{proxy_port}" Fwd-address="{client}" Request="{path}"{uuid_pair}'
            f' Detail="{self._detail(node, response)}"',
            call,
            "rest",
        )

    def webrtc_call(
        self, join: int, leave: int, node: _Node, name: str, alias: str, conf_id: str
    ) -> None:
        rng = self.rng
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        display = _display(first, last)
        client = _external_ip(rng)
        proxy = f"10.40.9.{rng.randrange(2, 30)}"
        pport = rng.randrange(30000, 60000)
        puuid, cuuid = _uuid(rng), _uuid(rng)
        agent = rng.choice(_BROWSERS)
        call = self._new_call(
            cuuid, "WebRTC", name, conf_id, display, display, client, "in", node, puuid
        )
        # The browser loads the web app from the node first.
        t = join - 2500
        for i, (path, size) in enumerate(
            (
                (f"/webapp/conference/{alias}", 4321),
                ("/webapp/main.js", 912_876),
                ("/webapp/styles.css", 48_211),
                ("/webapp/config.json", 1288),
            )
        ):
            self.web(t + 40 * i, node, client, "-", f"GET {path} HTTP/1.1", 200, size,
                     f"https://meet.{_DOMAIN}/webapp/" if i else "-", agent)  # fmt: skip
        base = f"/api/client/v2/conferences/{alias}"
        token = _b64(rng, 90)[:100] + "..."
        self._rest(
            join - 400, node, call, proxy, pport, client, f"{base}/request_token",
            {"display_name": display},
            {"status": "success", "result": {
                "token": token, "expires": "120", "participant_uuid": puuid,
                "display_name": display, "conference_name": name, "role": "GUEST",
                "service_type": "conference", "current_service_type": "conference",
                "chat_enabled": True, "fecc_enabled": False, "rtmp_enabled": True,
                "analytics_enabled": True, "guests_can_present": True, "allow_1080p": False,
                "bandwidth_in": 1280, "bandwidth_out": 1280, "vp9_enabled": True,
                "version": {"version_id": _RELEASES[0].split()[0], "pseudo_version": _RELEASES[0].split()[1][1:-1]},
                "stun": [{"url": f"stun:stun.{_DOMAIN}:3478"}], "route_via_registrar": False,
            }},
            puuid, 90,
        )  # fmt: skip
        offer = self._sdp(client, rng.randrange(49152, 65000), True)
        answer = self._sdp(node.address, 40000 + 2 * rng.randrange(4000), True)
        self._rest(
            join, node, call, proxy, pport, client, f"{base}/participants/{puuid}/calls",
            {"call_type": "WEBRTC", "sdp": offer, "present": "send"},
            {"status": "success", "result": {"call_uuid": cuuid, "sdp": answer}},
            puuid, 240,
        )  # fmt: skip
        self._rest(
            join + 400, node, call, proxy, pport, client,
            f"{base}/participants/{puuid}/calls/{cuuid}/ack", None,
            {"status": "success", "result": True}, puuid, 15,
        )  # fmt: skip
        self._conference_lines(call, node, join, leave, alias, agent, "guest")
        port = self._media_lines(call, node, join + 450, leave, client)
        self._ice_lines(call, node, join + 450, client, port)
        # Token refreshes while in the call (every 60 s; at most 15 logged, to keep the mix).
        refresh = join + 60_000
        count = 0
        while refresh < leave - 1000 and count < 15:
            self._rest(
                refresh, node, call, proxy, pport, client, f"{base}/refresh_token", None,
                {"status": "success", "result": {"token": _b64(rng, 45) + "...", "expires": "120"}},
                puuid, 8,
            )  # fmt: skip
            refresh += 60_000
            count += 1
        if rng.random() < 0.2 and leave - join > 30_000:
            self.support(
                join + rng.randrange(10_000, leave - join - 5000),
                node,
                "INFO",
                "support.conferenceservice",
                "Chat message received",
                f' Conference="{name}" Service-tag="" Participant="{display}"'
                f' Call-id="{cuuid}" Conversation-id="{puuid}" Payload-type="text/plain"',
                call,
                "conferenceservice",
            )
        self._rest(
            leave - 60, node, call, proxy, pport, client,
            f"{base}/participants/{puuid}/calls/{cuuid}/disconnect", None,
            {"status": "success", "result": True}, puuid, 20,
        )  # fmt: skip
        self._rest(
            leave + 200, node, call, proxy, pport, client, f"{base}/release_token", None,
            {"status": "success", "result": True}, puuid, 12,
        )  # fmt: skip

    def _h323(
        self,
        ms: int,
        node: _Node,
        call: _Call,
        module: str,
        received: bool,
        remote: str,
        rport: int,
        lport: int,
        detail: str,
    ) -> None:
        kind = "Q.931" if module.endswith("q931") else "H.245"
        if received:
            message = f"Received {kind} message"
            addrs = (
                f' Src-address="{remote}" Src-port="{rport}"'
                f' Dst-address="{node.address}" Dst-port="{lport}"'
            )
        else:
            message = f"Sending {kind} message"
            addrs = (
                f' Src-address="{node.address}" Src-port="{lport}"'
                f' Dst-address="{remote}" Dst-port="{rport}"'
            )
        self.support(
            ms,
            node,
            "INFO",
            module,
            message,
            f'{addrs} Uuid="{call.key}" Detail="{_CR.join(detail.splitlines())}"',
            call,
            "h323",
        )

    def h323_call(
        self, join: int, leave: int, node: _Node, name: str, alias: str, conf_id: str
    ) -> None:
        rng = self.rng
        site = rng.choice(_ROOM_SITES)
        display = f"{site.capitalize()} Boardroom"
        remote = _external_ip(rng)
        vendor = rng.choice(_H323_VENDORS)
        call_id = _uuid(rng)
        number = f"{rng.randrange(10**6, 10**7)}"
        call = self._new_call(
            call_id, "H323", name, conf_id, f"h323:{number}", display, remote, "in", node
        )
        q_rport, h_rport, h_lport = rng.randrange(11000, 12000), rng.randrange(12000, 13000), rng.randrange(33000, 34000)  # fmt: skip
        guid = _hex(rng, 32)
        self.support(join - 30, node, "INFO", "support.h323.q931", "TCP Connection established",
                     f' Local-address="{node.address}" Local-port="1720" Remote-address="{remote}"'
                     f' Remote-port="{q_rport}" Uuid="{call_id}"', call, "h323")  # fmt: skip
        setup = (
            "setup:\n  protocolIdentifier: 0.0.8.2250.0.6\n  sourceAddress:\n"
            f"    h323-ID: {display}\n  sourceInfo:\n    vendor:\n      vendor:\n"
            "        t35CountryCode: 181\n        manufacturerCode: 18\n"
            f"      productId: {vendor}\n    terminal: None\n    mc: False\n"
            f"  destinationAddress:\n    dialledDigits: {alias}\n  activeMC: False\n"
            f"  conferenceID: {guid}\n  conferenceGoal: create\n  callType: pointToPoint\n"
            f"  callIdentifier:\n    guid: {_hex(rng, 32)}\n  mediaWaitForConnect: False"
        )
        self._h323(join, node, call, "support.h323.q931", True, remote, q_rport, 1720, setup)
        self._h323(join + 20, node, call, "support.h323.q931", False, remote, q_rport, 1720,
                   f"callProceeding:\n  protocolIdentifier: 0.0.8.2250.0.6\n  callIdentifier:\n    guid: {guid}")  # fmt: skip
        self._h323(join + 60, node, call, "support.h323.q931", False, remote, q_rport, 1720,
                   f"connect:\n  protocolIdentifier: 0.0.8.2250.0.6\n  h245Address:\n    ip: {node.address}\n"
                   f"    port: {h_lport}\n  conferenceID: {guid}")  # fmt: skip
        self.support(join + 200, node, "INFO", "support.h323.h245", "TCP Connection established",
                     f' Local-address="{node.address}" Local-port="{h_lport}" Remote-address="{remote}"'
                     f' Remote-port="{h_rport}" Uuid="{call_id}"', call, "h323")  # fmt: skip
        tcs = (
            "request:\n  terminalCapabilitySet:\n    sequenceNumber: 1\n"
            "    protocolIdentifier: 0.0.8.245.0.13\n    multiplexCapability: h2250Capability:\n"
            "      maximumAudioDelayJitter: 60\n    capabilityTable:\n"
            "      capabilityTableEntryNumber: 1\n"
            "      capability: receiveAudioCapability: g722-64k: 20\n"
            "      capabilityTableEntryNumber: 2\n"
            "      capability: receiveVideoCapability: genericVideoCapability:\n"
            "        capabilityIdentifier: standard: 0.0.8.241.0.0.1\n        maxBitRate: 19200"
        )
        self._h323(join + 230, node, call, "support.h323.h245", True, remote, h_rport, h_lport, tcs)
        self._h323(join + 260, node, call, "support.h323.h245", False, remote, h_rport, h_lport,
                   "response:\n  terminalCapabilitySetAck:\n    sequenceNumber: 1")  # fmt: skip
        self._h323(join + 300, node, call, "support.h323.h245", False, remote, h_rport, h_lport,
                   f"request:\n  masterSlaveDetermination:\n    terminalType: 190\n"
                   f"    statusDeterminationNumber: {rng.randrange(1, 2**24)}")  # fmt: skip
        for i, ch in enumerate(("audioData: g722-64k: 20", "videoData: h264")):
            self._h323(join + 400 + 30 * i, node, call, "support.h323.h245", True, remote, h_rport, h_lport,
                       f"request:\n  openLogicalChannel:\n    forwardLogicalChannelNumber: {101 + i}\n"
                       f"    forwardLogicalChannelParameters:\n      dataType: {ch}")  # fmt: skip
        self._conference_lines(call, node, join, leave, alias, vendor, "guest")
        self._media_lines(call, node, join + 500, leave, remote)
        if rng.random() < 0.3:
            self.support(join + 9000, node, "INFO", "support.dtmflatcher", "Got DTMF digit",
                         f' Call-id="{call_id}" Digit="{rng.randrange(10)}" Mechanism="h245"', call, "dtmf")  # fmt: skip
        self._h323(leave, node, call, "support.h323.q931", True, remote, q_rport, 1720,
                   f"releaseComplete:\n  protocolIdentifier: 0.0.8.2250.0.6\n  reason: undefinedReason\n"
                   f"  callIdentifier:\n    guid: {guid}")  # fmt: skip

    def teams_call(
        self, join: int, leave: int, node: _Node, name: str, alias: str, conf_id: str
    ) -> None:
        rng = self.rng
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        display = _display(first, last)
        remote = f"52.{rng.randrange(112, 124)}.{rng.randrange(0, 255)}.{rng.randrange(2, 250)}"
        call_id = _uuid(rng)
        call = self._new_call(
            call_id, "TEAMS", name, conf_id, f"{first}.{last}@contoso.example",
            display, remote, "in", node,
        )  # fmt: skip
        url = f"https://teams-connector.{_DOMAIN}/api/v1/calls/{call_id}"
        content = json.dumps(
            {
                "remote_alias": f"{first}.{last}@contoso.example",
                "remote_display_name": display,
                "conference_alias": f"{alias}@{_DOMAIN}",
                "treat_as_trusted": True,
                "media": {
                    "audio": {"address": node.address, "port": 40000 + 2 * rng.randrange(4000)},
                    "video": {"address": node.address, "port": 40000 + 2 * rng.randrange(4000)},
                },
            },
            ensure_ascii=False,
        ).replace('"', '\\"')
        self.support(join - 300, node, "INFO", "support.teams", "Sending Teams API request",
                     f' Call-id="{call_id}" Request="{url}/incoming" Content="{content}"', call, "teams")  # fmt: skip
        self.support(join - 120, node, "INFO", "support.teams", "Received Teams API response",
                     f' Call-id="{call_id}" Request="{url}/incoming" Status="200"', call, "teams")  # fmt: skip
        self._conference_lines(
            call, node, join, leave, f"{alias}@{_DOMAIN}", "Microsoft Teams", "guest"
        )
        port = self._media_lines(call, node, join + 300, leave, remote)
        self._ice_lines(call, node, join + 300, remote, port)
        self.support(leave - 20, node, "INFO", "support.teams", "Sending Teams API request",
                     f' Call-id="{call_id}" Request="{url}/hangup" Content="{{}}"', call, "teams")  # fmt: skip

    def registration(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_CONF_NODES)
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        aor = f"{first}.{last}@{_DOMAIN}"
        call_id = _hex(rng, 32)
        remote = f"10.50.{rng.randrange(1, 40)}.{rng.randrange(2, 250)}"
        rport = rng.randrange(30000, 60000)
        expires = rng.choice(("600", "3600", "0"))
        self.support(
            t,
            node,
            "INFO",
            "support.sip",
            "Summarised received SIP request",
            f' Src-address="{remote}" Src-port="{rport}" Dst-address="{node.address}"'
            f' Dst-port="5061" Transport="TLS" Method="REGISTER" Call-id="{call_id}"'
            f' From="<sip:{aor}>;tag={_hex(rng, 8)}" To="<sip:{aor}>" Cseq="{rng.randrange(1, 9000)}"'
            f' Expires="{expires}"',
        )
        self.support(
            t + 6,
            node,
            "INFO",
            "support.sip",
            "Summarised sending SIP response",
            f' Src-address="{node.address}" Src-port="5061" Dst-address="{remote}"'
            f' Dst-port="{rport}" Transport="TLS" Method="REGISTER" Call-id="{call_id}"'
            f' Status="200" Reason="OK"',
        )
        message = {"0": "Registration removed", "600": "Registration refreshed"}.get(
            expires, "Registration added"
        )
        self.support(
            t + 9,
            node,
            "INFO",
            "administrator.registration",
            message,
            f' Alias="{aor}" Protocol="SIP" Registration-id="{_uuid(rng)}"'
            f' Natted="{"True" if rng.random() < 0.3 else "False"}" Location="{node.location}"'
            f' Remote-address="{remote}"',
        )
        self.stats.registrations += 1

    def options_ping(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_CONF_NODES)
        peer = f"10.40.8.{rng.randrange(2, 6)}"
        call_id = _hex(rng, 32)
        for i, (msg, src, dst) in enumerate(
            (
                ("Summarised received SIP request", peer, node.address),
                ("Summarised sending SIP response", node.address, peer),
            )
        ):
            status = ' Status="200" Reason="OK"' if i else ""
            self.support(
                t + 4 * i,
                node,
                "INFO",
                "support.sip",
                msg,
                f' Src-address="{src}" Src-port="5061" Dst-address="{dst}" Dst-port="5061"'
                f' Transport="TLS" Method="OPTIONS" Call-id="{call_id}"{status}',
            )

    def configuration_change(self, t: int) -> None:
        rng = self.rng
        user = rng.choice(_ADMINS)
        remote = f"10.40.5.{rng.randrange(10, 60)}"
        otype, fields = rng.choice(
            (
                ("conference", "pin, allow_guests"),
                ("conference", "name, description"),
                ("conference_alias", "alias"),
                ("end_user", "primary_email_address"),
                ("system_location", "dns_servers"),
                ("device", "password"),
            )
        )
        action = rng.choices(("Object modified", "Object created", "Object deleted"), (6, 2, 1))[0]
        self.web(t, _MGMT, remote, user, f"POST /admin/configuration/{otype}/{otype}/ HTTP/1.1",
                 302, 0, f"https://{_MGMT.fqdn}/admin/configuration/{otype}/", rng.choice(_BROWSERS))  # fmt: skip
        t += 1500
        self.support(
            t,
            _MGMT,
            "INFO",
            "administrator.configuration",
            action,
            f' User="{user}" Remote-address="{remote}" Remote-port="{rng.randrange(40000, 65000)}"'
            f' Type="{otype}" Id="{rng.randrange(1, 400)}" Fields="{fields}"',
        )
        self.stats.configuration_changes += 1
        for i, node in enumerate(_CONF_NODES):
            self.support(
                t + 3000 + 400 * i,
                _MGMT,
                "INFO",
                "administrator.system.configuration",
                "Configuration replicated to node.",
                f' Node="{node.name}" Address="{node.address}"',
            )

    def dns_lookup(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_CONF_NODES)
        target = rng.choice((f"sip.{_DOMAIN}", f"gk.{_DOMAIN}", "sipfed.contoso.example"))
        ok = rng.random() < 0.85
        self.support(
            t,
            node,
            "INFO" if ok else "WARNING",
            "support.dns",
            "A record lookup successful" if ok else "A record lookup failed",
            f' Type="A" Target="{target}" Result="{_external_ip(rng) if ok else "NXDOMAIN"}"',
        )

    def alarm(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_CONF_NODES)
        name = rng.choice(("connectivity_lost", "capacity_exhausted", "sync_failed", "no_license"))
        self.stats.alarms += 1
        t += 500
        if name == "connectivity_lost":
            self.support(t - 500, _MGMT, "WARNING", "administrator.system.connectivity",
                         "Connectivity lost to node.",
                         f' Src-node="{_MGMT.address}" Node="{node.address}"')  # fmt: skip
        instance = (
            f"Source={_MGMT.address}, Destination={node.address}"
            if name == "connectivity_lost"
            else node.name
        )
        self.support(t, _MGMT, "WARNING", "administrator.alarm", "Alarm raised",
                     f' Node="{node.address}" Alarm="{name}" Instance="{instance}" Detail=""')  # fmt: skip
        lowered = t + rng.randrange(30_000, 20 * 60_000)
        if name == "connectivity_lost":
            self.support(lowered - 300, _MGMT, "INFO", "administrator.system.connectivity",
                         "Connectivity restored to node.",
                         f' Src-node="{_MGMT.address}" Node="{node.address}"')  # fmt: skip
        self.support(lowered, _MGMT, "INFO", "administrator.alarm", "Alarm lowered",
                     f' Node="{node.address}" Alarm="{name}" Instance="{instance}" Detail=""')  # fmt: skip

    def support_error(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_CONF_NODES)
        k = rng.randrange(4)
        if k == 0:
            self.support(t, node, "ERROR", "support.configuration", "Configuration update failed",
                         f' Reason="Unable to load certificate chain for CN={node.fqdn}"')  # fmt: skip
        elif k == 1:
            remote = _external_ip(rng)
            self.support(t, node, "WARNING", "administrator.conference",
                         "Participant failed to join conference.",
                         f' ConferenceAlias="unknown.{rng.randrange(100, 999)}@{_DOMAIN}"'
                         f' Participant="sip:{rng.choice(_FIRST)}@{_DOMAIN}" Protocol="SIP"'
                         f' Direction="in" Remote-Address="{remote}" Reason="Conference not found"')  # fmt: skip
        elif k == 2:
            self.support(t, node, "ERROR", "support.sip", "Failed to send SIP message",
                         f' Src-address="{node.address}" Src-port="5061"'
                         f' Dst-address="{_external_ip(rng)}" Dst-port="5061" Transport="TLS"'
                         ' Reason="Connection timed out"')  # fmt: skip
        else:
            self.support(t, _MGMT, "ERROR", "support.configuration", "Configuration sync failed",
                         f' Reason="Node {node.name} did not acknowledge within 60s"')  # fmt: skip

    def system_event(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_CONF_NODES)
        self.audit_service(t, node=node, unit="pexip-conferencing")
        t += 4000
        self.support(t, node, "INFO", "administrator.system", "Application started",
                     f' Pid="{rng.randrange(900, 30000)}" Version="{_RELEASES[0]}"'
                     f' Mac="00:50:56:{_hex(rng, 2)}:{_hex(rng, 2)}:{_hex(rng, 2)}"')  # fmt: skip

    # -- audit scenarios --------------------------------------------------------------------

    def _serial(self, node: _Node) -> int:
        self.audit_serial[node.fqdn] += 1 + (self.audit_serial[node.fqdn] % 3)
        return self.audit_serial[node.fqdn]

    def _pam(
        self,
        ms: int,
        node: _Node,
        rtype: str,
        pid: int,
        auid: int,
        ses: int,
        op: str,
        acct: str,
        exe: str,
        hostname: str,
        addr: str,
        terminal: str,
        res: str = "success",
        subj: str = "system_u:system_r:sshd_t:s0-s0:c0.c1023",
    ) -> None:
        self.audit(
            ms,
            node,
            rtype,
            self._serial(node),
            f"pid={pid} uid=0 auid={auid} ses={ses} subj={subj} msg='op={op}"
            f' acct="{acct}" exe="{exe}" hostname={hostname} addr={addr}'
            f" terminal={terminal} res={res}'",
        )

    def audit_ssh_session(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_ALL_NODES)
        user = rng.choice(("admin", "netops"))
        addr = f"10.40.5.{rng.randrange(10, 60)}"
        self.audit_pid += rng.randrange(3, 40)
        pid = self.audit_pid
        unset = 4294967295
        sshd = "/usr/sbin/sshd"
        if rng.random() < 0.15:
            # A failed password guess from outside.
            bad = _external_ip(rng)
            self._pam(t, node, "USER_AUTH", pid, unset, unset, "PAM:authentication",
                      rng.choice(("root", "oracle", "test")), sshd, bad, bad, "ssh", "failed")  # fmt: skip
            self.audit(t + 2100, node, "USER_LOGIN", self._serial(node),
                       f"pid={pid} uid=0 auid={unset} ses={unset} subj=system_u:system_r:sshd_t:s0-s0:c0.c1023"
                       f" msg='op=login acct=\"(unknown)\" exe=\"{sshd}\" hostname=? addr={bad}"
                       " terminal=ssh res=failed'")  # fmt: skip
            return
        self.audit_session += 1
        ses = self.audit_session
        uid = 1000 + _ADMINS.index(user) if user in _ADMINS else 1000
        self._pam(t, node, "USER_AUTH", pid, unset, unset, "PAM:authentication", user, sshd, addr, addr, "ssh")  # fmt: skip
        self._pam(t + 3, node, "USER_ACCT", pid, unset, unset, "PAM:accounting", user, sshd, addr, addr, "ssh")  # fmt: skip
        self._pam(t + 6, node, "CRED_ACQ", pid, unset, unset, "PAM:setcred", user, sshd, addr, addr, "ssh")  # fmt: skip
        self.audit(t + 8, node, "LOGIN", self._serial(node),
                   f"pid={pid} uid=0 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 old-auid={unset}"
                   f" auid={uid} tty=(none) old-ses={unset} ses={ses} res=1")  # fmt: skip
        self._pam(t + 20, node, "USER_START", pid, uid, ses, "PAM:session_open", user, sshd, addr, addr, "ssh")  # fmt: skip
        self.audit(t + 40, node, "USER_LOGIN", self._serial(node),
                   f"pid={pid} uid=0 auid={uid} ses={ses} subj=system_u:system_r:sshd_t:s0-s0:c0.c1023"
                   f" msg='op=login id={uid} exe=\"{sshd}\" hostname={addr} addr={addr}"
                   " terminal=/dev/pts/0 res=success'")  # fmt: skip
        self.stats.audit_events += 1
        now = t + rng.randrange(5_000, 60_000)
        for _ in range(rng.randrange(1, 4)):
            self.audit_sudo(now, node, user, uid, ses)
            now += rng.randrange(5_000, 120_000)
        end = now + rng.randrange(1_000, 30_000)
        self._pam(end, node, "USER_END", pid, uid, ses, "PAM:session_close", user, sshd, addr, addr, "ssh")  # fmt: skip
        self._pam(end + 4, node, "CRED_DISP", pid, uid, ses, "PAM:setcred", user, sshd, addr, addr, "ssh")  # fmt: skip

    def audit_sudo(self, t: int, node: _Node, user: str, uid: int, ses: int) -> None:
        rng = self.rng
        self.audit_pid += rng.randrange(3, 40)
        pid = self.audit_pid
        argv = rng.choice(
            (
                ("systemctl", "status", "pexip-conferencing"),
                ("journalctl", "-u", "sshd", "--since", "today"),
                ("cat", "/var/log/pexip/support.log"),
                ("ip", "addr", "show"),
                ("tcpdump", "-i", "eth0", "-c", "100", "port", "5061"),
            )
        )
        cmd = " ".join(argv)
        subj = "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023"
        cwd = f"/home/{user}"
        self.audit(t, node, "USER_CMD", self._serial(node),
                   f"pid={pid} uid={uid} auid={uid} ses={ses} subj={subj}"
                   f" msg='cwd=\"{cwd}\" cmd={cmd.encode().hex().upper()} terminal=pts/0 res=success'")  # fmt: skip
        sudo = "/usr/bin/sudo"
        self._pam(t + 2, node, "USER_ACCT", pid, uid, ses, "PAM:accounting", "root", sudo, "?", "?", "/dev/pts/0", subj=subj)  # fmt: skip
        self._pam(t + 3, node, "CRED_REFR", pid, uid, ses, "PAM:setcred", "root", sudo, "?", "?", "/dev/pts/0", subj=subj)  # fmt: skip
        self._pam(t + 4, node, "USER_START", pid, uid, ses, "PAM:session_open", "root", sudo, "?", "?", "/dev/pts/0", subj=subj)  # fmt: skip
        # The command's execve, as one event: all records share the serial.
        serial = self._serial(node)
        child = pid + 1
        self.audit_pid += 1
        exe = f"/usr/bin/{argv[0]}"
        self.audit(t + 6, node, "SYSCALL", serial,
                   f"arch=c000003e syscall=59 success=yes exit=0 a0=55d0c2e4a0f0 a1=55d0c2e4b2a0"
                   f" a2=55d0c2e51c40 a3=8 items=2 ppid={pid} pid={child} auid={uid} uid=0 gid=0"
                   f" euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses={ses}"
                   f" comm=\"{argv[0][:15]}\" exe=\"{exe}\" subj={subj} key=\"rootcmd\"")  # fmt: skip
        args = " ".join(f'a{i}="{a}"' for i, a in enumerate(argv))
        self.audit(t + 6, node, "EXECVE", serial, f"argc={len(argv)} {args}")
        self.audit(t + 6, node, "CWD", serial, f'cwd="{cwd}"')
        self.audit(t + 6, node, "PATH", serial,
                   f'item=0 name="{exe}" inode={rng.randrange(10**5, 10**7)} dev=fd:00 mode=0100755'
                   " ouid=0 ogid=0 rdev=00:00 obj=system_u:object_r:bin_t:s0 nametype=NORMAL"
                   " cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0")  # fmt: skip
        self.audit(t + 6, node, "PATH", serial,
                   f'item=1 name="/lib64/ld-linux-x86-64.so.2" inode={rng.randrange(10**5, 10**7)}'
                   " dev=fd:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 obj=system_u:object_r:ld_so_t:s0"
                   " nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0")  # fmt: skip
        self.audit(t + 6, node, "PROCTITLE", serial, f"proctitle={cmd.encode().hex().upper()}")
        self.audit(t + 6, node, "EOE", serial, "")
        end = t + rng.randrange(200, 20_000)
        self._pam(end, node, "USER_END", pid, uid, ses, "PAM:session_close", "root", sudo, "?", "?", "/dev/pts/0", subj=subj)  # fmt: skip
        self._pam(end + 1, node, "CRED_DISP", pid, uid, ses, "PAM:setcred", "root", sudo, "?", "?", "/dev/pts/0", subj=subj)  # fmt: skip
        self.stats.audit_events += 1

    def audit_watch(self, t: int) -> None:
        """A watched file opened (auditctl -w … -k …): SYSCALL + CWD + PATH + PROCTITLE."""
        rng = self.rng
        node = rng.choice(_ALL_NODES)
        path, key = rng.choice(
            (
                ("/etc/passwd", "identity"),
                ("/etc/shadow", "identity"),
                ("/etc/ssh/sshd_config", "sshd"),
                ("/etc/sudoers", "actions"),
            )
        )
        comm, exe = rng.choice((("sshd", "/usr/sbin/sshd"), ("cron", "/usr/sbin/cron"),
                                ("python3", "/usr/bin/python3.10")))  # fmt: skip
        serial = self._serial(node)
        self.audit_pid += rng.randrange(3, 40)
        pid = self.audit_pid
        ok = rng.random() < 0.9
        self.audit(t, node, "SYSCALL", serial,
                   f"arch=c000003e syscall=257 success={'yes' if ok else 'no'}"
                   f" exit={3 if ok else -13} a0=ffffff9c a1=7f2d1c3e4b10 a2=80000 a3=0 items=1"
                   f" ppid=1 pid={pid} auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0"
                   f" sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"{comm}\" exe=\"{exe}\""
                   f" subj=system_u:system_r:unconfined_service_t:s0 key=\"{key}\"")  # fmt: skip
        self.audit(t, node, "CWD", serial, 'cwd="/"')
        self.audit(t, node, "PATH", serial,
                   f'item=0 name="{path}" inode={rng.randrange(10**5, 10**7)} dev=fd:00 mode=0100640'
                   " ouid=0 ogid=0 rdev=00:00 obj=system_u:object_r:etc_t:s0 nametype=NORMAL"
                   " cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0")  # fmt: skip
        self.audit(t, node, "PROCTITLE", serial, f"proctitle={exe.encode().hex().upper()}")
        self.audit(t, node, "EOE", serial, "")
        self.stats.audit_events += 1

    def audit_cron(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_ALL_NODES)
        self.audit_pid += rng.randrange(3, 40)
        pid = self.audit_pid
        self.audit_session += 1
        ses = self.audit_session
        crond, subj = "/usr/sbin/cron", "system_u:system_r:crond_t:s0-s0:c0.c1023"
        self._pam(t, node, "USER_ACCT", pid, 4294967295, 4294967295, "PAM:accounting", "root", crond, "?", "?", "cron", subj=subj)  # fmt: skip
        self._pam(t + 1, node, "CRED_ACQ", pid, 4294967295, 4294967295, "PAM:setcred", "root", crond, "?", "?", "cron", subj=subj)  # fmt: skip
        self.audit(t + 2, node, "LOGIN", self._serial(node),
                   f"pid={pid} uid=0 subj={subj} old-auid=4294967295 auid=0 tty=(none)"
                   f" old-ses=4294967295 ses={ses} res=1")  # fmt: skip
        self._pam(t + 4, node, "USER_START", pid, 0, ses, "PAM:session_open", "root", crond, "?", "?", "cron", subj=subj)  # fmt: skip
        self._pam(t + 5, node, "CRED_REFR", pid, 0, ses, "PAM:setcred", "root", crond, "?", "?", "cron", subj=subj)  # fmt: skip
        end = t + rng.randrange(50, 3000)
        self._pam(end, node, "CRED_DISP", pid, 0, ses, "PAM:setcred", "root", crond, "?", "?", "cron", subj=subj)  # fmt: skip
        self._pam(end + 1, node, "USER_END", pid, 0, ses, "PAM:session_close", "root", crond, "?", "?", "cron", subj=subj)  # fmt: skip
        self.stats.audit_events += 1

    def audit_service(self, t: int, node: _Node | None = None, unit: str | None = None) -> None:
        rng = self.rng
        node = node or rng.choice(_ALL_NODES)
        unit = unit or rng.choice(
            ("pexip-conferencing", "apache2", "chrony", "logrotate", "snmpd", "man-db")
        )
        for i, rtype in enumerate(("SERVICE_STOP", "SERVICE_START")):
            self.audit(t + i * rng.randrange(500, 4000), node, rtype, self._serial(node),
                       "pid=1 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0"
                       f" msg='unit={unit} comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\""
                       " hostname=? addr=? terminal=? res=success'")  # fmt: skip
        self.stats.audit_events += 1

    # -- web scenarios ----------------------------------------------------------------------

    def web_status_poll(self, t: int) -> None:
        rng = self.rng
        poller = "10.40.7.15"
        agent = "python-requests/2.32.3"
        for i, res in enumerate(
            ("conference", "participant", "worker_vm", "alarm", "licensing")[: rng.randrange(2, 6)]
        ):
            self.web(t + 120 * i, _MGMT, poller, "admin",
                     f"GET /api/admin/status/v1/{res}/?limit=500 HTTP/1.1", 200,
                     rng.randrange(300, 40_000), "-", agent)  # fmt: skip

    def web_admin_session(self, t: int) -> None:
        rng = self.rng
        client = f"10.40.5.{rng.randrange(10, 60)}"
        user = rng.choice(_ADMINS)
        agent = rng.choice(_BROWSERS)
        ref = f"https://{_MGMT.fqdn}/admin/"
        pages = [
            ("GET /admin/login/ HTTP/1.1", "-", 200, 5123),
            ("POST /admin/login/ HTTP/1.1", user, 302, 0),
            ("GET /admin/ HTTP/1.1", user, 200, 18_211),
            ("GET /admin/static/css/admin.css HTTP/1.1", user, 304, None),
            ("GET /admin/status/conference/ HTTP/1.1", user, 200, 9_876),
            ("GET /admin/configuration/conference/conference/ HTTP/1.1", user, 200, 23_456),
            ("GET /admin/platform/systemlocation/ HTTP/1.1", user, 200, 7_654),
            ("GET /admin/history/conference/ HTTP/1.1", user, 200, 31_337),
        ]
        now = t
        for req, u, status, size in pages[: rng.randrange(3, len(pages) + 1)]:
            self.web(now, _MGMT, client, u, req, status, size, ref, agent)
            now += rng.randrange(300, 20_000)

    def web_scanner(self, t: int) -> None:
        rng = self.rng
        node = rng.choice(_CONF_NODES)
        client = _external_ip(rng)
        agent = rng.choice(_SCANNER_AGENTS)
        for i in range(rng.randrange(1, 5)):
            r = rng.random()
            if r < 0.1:
                self.web(t + 300 * i, node, client, "-", "-", 408, None, "-", "-")
            elif r < 0.15:
                self.web(t + 300 * i, node, client, "-", "\\x16\\x03\\x01\\x02", 400, 226, "-", "-")
            else:
                path = rng.choice(("/.env", "/wp-login.php", "/robots.txt", "/admin/", "/favicon.ico",
                                   "/api/client/v2/status", "/cgi-bin/luci"))  # fmt: skip
                status = {"/robots.txt": 200, "/favicon.ico": 200, "/admin/": 403}.get(path, 404)
                self.web(t + 300 * i, node, client, "-", f"GET {path} HTTP/1.1", status,
                         rng.randrange(150, 900), "-", agent)  # fmt: skip


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def generate_lines(
    start: datetime,
    hours: float,
    *,
    seed: int = 0,
    lines_per_hour: float = DEFAULT_LINES_PER_HOUR,
    families: Iterable[str] = FAMILIES,
    malformed_rate: float = DEFAULT_MALFORMED_RATE,
    stats: GenerationStats | None = None,
) -> Iterator[GeneratedLine]:
    """Generate the logs of a Pexip deployment from ``start`` for ``hours`` hours, streamed.

    Lines of all asked ``families`` come out merged, in event-time order (``event_time`` is the
    syslog time the line starts with, UTC); every event time lies in ``[start, start + hours)``.
    About ``lines_per_hour`` lines are produced per hour in total (support ≈ 78 %, audit ≈ 13 %,
    web ≈ 9 %, renormalised over ``families``); ``malformed_rate`` of them are cut off.
    Pass a :class:`GenerationStats` as ``stats`` to learn what was generated (complete once the
    iterator is exhausted). A naive ``start`` is taken as UTC.

    The local runner (``pexlogs run --demo``) and the benchmarks call this.
    """
    fams = tuple(dict.fromkeys(families))
    unknown = [f for f in fams if f not in FAMILIES]
    if unknown or not fams:
        raise UsageError(
            f"unknown families {unknown or '(none)'}: expected some of {', '.join(FAMILIES)}"
        )
    if hours <= 0:
        raise UsageError(f"hours must be positive, not {hours}")
    if lines_per_hour <= 0:
        raise UsageError(f"lines per hour must be positive, not {lines_per_hour}")
    if not 0 <= malformed_rate < 1:
        raise UsageError(f"malformed rate must be in [0, 1), not {malformed_rate}")
    start = _as_utc(start)
    end = start + timedelta(hours=hours)
    start_ms = (start - _EPOCH) // timedelta(milliseconds=1)
    end_ms = (end - _EPOCH) // timedelta(milliseconds=1)
    stats = stats if stats is not None else GenerationStats()
    stats.start, stats.end = start.isoformat(), end.isoformat()
    stats.seed, stats.lines_per_hour, stats.families = seed, float(lines_per_hour), fams
    gen = _Generator(
        start_ms,
        end_ms,
        seed=seed,
        lines_per_hour=lines_per_hour,
        families=fams,
        malformed_rate=malformed_rate,
        stats=stats,
    )
    return _lines(gen)


def _lines(gen: _Generator) -> Iterator[GeneratedLine]:
    one_ms = timedelta(milliseconds=1)
    for ms, family, line in gen.run():
        yield GeneratedLine(family, _EPOCH + ms * one_ms, line)


def write_logs(
    out_dir: Path,
    start: datetime,
    hours: float,
    *,
    seed: int = 0,
    lines_per_hour: float = DEFAULT_LINES_PER_HOUR,
    families: Iterable[str] = FAMILIES,
    malformed_rate: float = DEFAULT_MALFORMED_RATE,
    compress: bool = False,
    progress: Any = None,
) -> tuple[GenerationStats, dict[str, Path]]:
    """Write one file per family (``<family>.log`` or ``.log.gz``) plus ``manifest.json`` into
    ``out_dir`` (created). Returns the stats and the file of each family.

    ``progress``, if given, is called with the number of lines written so far every 10 000 lines.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fams = tuple(dict.fromkeys(families))
    stats = GenerationStats()
    lines = generate_lines(
        start,
        hours,
        seed=seed,
        lines_per_hour=lines_per_hour,
        families=fams,
        malformed_rate=malformed_rate,
        stats=stats,
    )
    suffix = ".log.gz" if compress else ".log"
    paths = {f: out_dir / f"{f}{suffix}" for f in fams}
    files: list[IO[bytes]] = []
    handles: dict[str, IO[str]] = {}
    try:
        for f, p in paths.items():
            raw_file = p.open("wb")
            files.append(raw_file)
            if compress:
                # mtime=0 and no name: the same seed gives byte-identical files. Level 1: these
                # files are benchmark inputs, written once and read once.
                packed = gzip.GzipFile(
                    filename="", mode="wb", compresslevel=1, fileobj=raw_file, mtime=0
                )
                handles[f] = io.TextIOWrapper(packed, encoding="utf-8", newline="\n")
            else:
                handles[f] = io.TextIOWrapper(raw_file, encoding="utf-8", newline="\n")
        pending: dict[str, list[str]] = {f: [] for f in fams}
        n = 0
        for n, item in enumerate(lines, 1):
            batch = pending[item.family]
            batch.append(item.line)
            if len(batch) >= 2000:  # one write per batch: far fewer encode/write calls
                handles[item.family].write("\n".join(batch) + "\n")
                batch.clear()
            if progress is not None and n % 10_000 == 0:
                progress(n)
        for f, batch in pending.items():
            if batch:
                handles[f].write("\n".join(batch) + "\n")
        if progress is not None:
            progress(n)
    finally:
        for h in handles.values():
            h.close()
        for opened in files:
            opened.close()  # GzipFile leaves a passed-in file object open
    (out_dir / "manifest.json").write_text(
        json.dumps(stats.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return stats, paths
