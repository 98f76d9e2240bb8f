#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/<target>/ from the test vectors.

Usage: python3 fuzz/make_corpus.py [--vectors DIR]
(default DIR: ../shared/vectors next to the repository root). Standard library only.

Each fuzz/corpus/<target>/ directory is deleted and rewritten, so add seeds by
changing this script, not by hand. Files over MAX_SEED_BYTES are skipped
(invalid/inv31, 70 KB).

  roundtrip_fuzz     every *.msrp vector (main, invalid/, valid-edge/) as is.
  chunk_parser_fuzz  the same vectors, each behind an 8-byte configuration
                     prefix (options and split points, see chunk_parser_fuzz.cpp);
                     the prefixes cycle through PRESETS; plus a few
                     small-limit variants and multi-chunk streams.
  uri_fuzz           every distinct To-Path / From-Path / Use-Path header value
                     of the *.msrp vectors and every SDP a=path value, one per file.
  message_assembler_fuzz
                     scripted chunk sequences (see message_assembler_fuzz.cpp):
                     in order, reversed, duplicated, aborted, interleaved.
  cpim_fuzz          the two rfc3862-*.cpim vectors as is, their LF-only
                     variants, and a few handmade bodies (escapes, DateTime
                     forms, folded MIME headers, no empty line before the
                     content headers as in RFC 4975 §11.4).
  iscomposing_fuzz   the two rfc3994-s5-*.xml vectors as is and with the other
                     line ends (LF-only / CRLF), the RFC 3994 §6.1 schema (well formed, wrong root),
                     and a few handmade documents (prefixes, references and
                     CDATA, nested extensions, comments and a byte order mark).
  chunk_demux_fuzz   multi-chunk streams of the *.msrp vectors (RFC 4975/4976
                     messages with several To-Paths, all valid-edge/ messages,
                     the two RFC 4975 §11.4 chunks), each behind an 8-byte
                     configuration prefix (sessions, URIs, segments, readers, a
                     session leaving, body limit; see chunk_demux_fuzz.cpp).
  sdp_media_fuzz     every *.sdp vector (main, valid-edge/) as is and LF-only,
                     each one's media section alone (from its m= line), and a
                     few handmade descriptions (every MSRP attribute, other
                     media around the MSRP one, media-level c=, blank lines).
"""

import argparse
import pathlib
import shutil
import sys

MAX_SEED_BYTES = 20 * 1024
FUZZ_DIR = pathlib.Path(__file__).resolve().parent
DEFAULT_VECTORS = FUZZ_DIR.parent.parent / "shared" / "vectors"
SUBDIRS = ["", "invalid", "valid-edge"]


def prefix(flags=0, piece=0, seed=0, limits=(0, 0, 0, 0)):
    """The 8 configuration bytes read by chunk_parser_fuzz.cpp (decode_config).

    flags: bit 0 = require_path_order off, bit 1 = accept_any_transport,
    bit 2 = small limits from `limits`, bits 4..5 = split mode
    (0 random pieces, 1 fixed pieces, 2 byte by byte, 3 two pieces).
    piece: max piece size - 1; seed: 16-bit seed of the split points.
    """
    return bytes([flags, piece, seed & 0xFF, (seed >> 8) & 0xFF, *limits])


RANDOM, FIXED, BYTE_BY_BYTE, TWO_PIECES = (m << 4 for m in range(4))
LENIENT = 0x01 | 0x02
SMALL_LIMITS = 0x04

# (suffix, prefix builder taking the vector's index)
PRESETS = [
    ("random16", lambda i: prefix(RANDOM, piece=15, seed=i)),
    ("bytewise", lambda i: prefix(BYTE_BY_BYTE)),
    ("lenient-fixed7", lambda i: prefix(FIXED | LENIENT, piece=6)),
    ("two-pieces", lambda i: prefix(TWO_PIECES, seed=i)),
]

# Small limits for the baseline vector: (name, limit bytes 4..7).
SMALL_LIMIT_VARIANTS = [
    # line 88, head 256, 16 headers, tid 34, non-SEND body 960, body 1536
    ("limits-roomy", (40, 30, 0x6F, 0x3F)),
    # line 48, head 96, 4 headers, tid 9, no body at all
    ("limits-tight", (20, 10, 0x13, 0x00)),
]


def demux_prefix(sessions=1, strangers=False, small_limit=None, lenient=False, rotate=False,
                 only_first_segments=False, piece=0, segment=None, uris=(0, 1, 2, 3), seed=0,
                 leaver=0, leave_after=0):
    """The 8 configuration bytes read by chunk_demux_fuzz.cpp (decode_config).

    sessions: 1..4; uris: per session 0..2 = the n-th distinct To-Path target
    of the stream, 3 = a URI naming nothing; segment: None for whole chunks,
    else the segment size (0..254); piece: max piece size - 1; leave_after:
    the session `leaver` leaves after 4 * leave_after steps (0: nobody);
    small_limit: whole chunk bodies of at most 32 * small_limit bytes.
    """
    flags = (sessions - 1) | (0x04 if strangers else 0) | (0x08 if small_limit is not None else 0)
    flags |= (0x10 if lenient else 0) | (0x20 if rotate else 0) | (0x40 if only_first_segments else 0)
    uri_byte = 0
    for i, u in enumerate(uris):
        uri_byte |= u << (2 * i)
    return bytes([flags, piece, 0 if segment is None else segment + 1, uri_byte, seed & 0xFF, (seed >> 8) & 0xFF,
                  leaver | (leave_after << 2), small_limit or 0])


def demux_seeds(vectors, msrp_files):
    """Seeds for chunk_demux_fuzz: (name, bytes)."""
    def stream(parts):
        return b"".join(p.read_bytes() for p in parts)

    relayed = stream([p for p in msrp_files if p.parent == vectors and
                      p.name.startswith(("rfc4975-s4", "rfc4975-s11.1", "rfc4976-s3"))])
    edge = stream([p for p in msrp_files if p.parent.name == "valid-edge"])
    cpim = stream([vectors / "rfc4975-s11.4-fig14-cpim-chunk1-send.msrp",
                   vectors / "rfc4975-s11.4-fig15-cpim-chunk2-send.msrp"])
    yield "relayed-2sessions-seg16", demux_prefix(sessions=2, piece=31, segment=16, uris=(0, 1), seed=1) + relayed
    yield "relayed-3sessions-strangers", demux_prefix(sessions=3, strangers=True, rotate=True, piece=63,
                                                      uris=(0, 1, 3), seed=2) + relayed
    yield "relayed-4sessions-leave", demux_prefix(sessions=4, rotate=True, piece=15, segment=4, uris=(2, 0, 1, 3),
                                                  seed=3, leaver=0, leave_after=10) + relayed
    yield "edge-1session-seg0", demux_prefix(lenient=True, piece=7, segment=0, seed=4) + edge
    yield "edge-2sessions-small-limit", demux_prefix(sessions=2, lenient=True, small_limit=4, only_first_segments=True,
                                                     piece=40, segment=32, uris=(0, 1), seed=5) + edge
    yield "cpim-chunks-2sessions-bytewise", demux_prefix(sessions=2, piece=0, segment=0, uris=(0, 3), seed=6) + cpim


def msrp_vectors(vectors):
    out = []
    for sub in SUBDIRS:
        for path in sorted((vectors / sub).glob("*.msrp")):
            if path.stat().st_size > MAX_SEED_BYTES:
                print(f"skip {path.relative_to(vectors)} ({path.stat().st_size} bytes)",
                      file=sys.stderr)
                continue
            out.append(path)
    return out


def head_lines(data):
    """Header lines of one chunk (up to the empty line or the end-line)."""
    lines = data.split(b"\n")
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        if not line or line.startswith(b"-------"):
            break
        yield line


def path_values(vectors, msrp_files):
    """(name, value) for every distinct path value, in file order."""
    seen = set()
    out = []

    def add(name, value):
        value = value.strip(b"\r\n")
        if value and value not in seen:
            seen.add(value)
            out.append((name, value))

    for path in msrp_files:
        for line in head_lines(path.read_bytes()):
            name, colon, value = line.partition(b":")
            field = name.strip().lower()
            if colon and field in (b"to-path", b"from-path", b"use-path"):
                add(f"{path.stem}-{field.decode()}", value.lstrip(b" "))
    for sub in SUBDIRS:
        for path in sorted((vectors / sub).glob("*.sdp")):
            for n, line in enumerate(path.read_bytes().split(b"\n")):
                if line.startswith(b"a=path:"):
                    add(f"{path.stem}-a-path-{n}", line[len(b"a=path:"):])
    return out


def assembler_event(message, start, length, total=None, end_mode=0, flag="+", stop=False):
    """One 8-byte event of message_assembler_fuzz: total None is '*';
    end_mode 1 writes the range end as '*', 2 leaves Byte-Range out."""
    total_byte = 0 if total is None else ((total // 97) << 2) | 1
    flag_index = {"+": 0, "$": 1, "#": 2}[flag]
    start_field = start - 1
    return bytes([message | (0x80 if stop else 0), start_field & 0xFF, start_field >> 8,
                  length & 0xFF, length >> 8, total_byte & 0xFF, end_mode, flag_index])


def assembler_scripts():
    """Seeds for message_assembler_fuzz: a mode byte, then events."""
    total = 97 * 30  # a total the event encoding can state exactly
    pieces = [(1 + i * 970, 970) for i in range(3)]
    in_order = [assembler_event(0, s, n, total, flag="$" if i == 2 else "+") for i, (s, n) in enumerate(pieces)]
    yield "in-order-whole", b"\x00" + b"".join(in_order)
    yield "in-order-pieces", b"\x01" + b"".join(in_order)
    yield "reversed", b"\x00" + b"".join(reversed(in_order))
    yield "duplicated", b"\x01" + in_order[0] + in_order[0] + in_order[1] + in_order[0] + in_order[2]
    yield "aborted", b"\x01" + in_order[0] + assembler_event(0, 971, 100, total, flag="#")
    yield "unknown-total", b"\x01" + b"".join(
        assembler_event(1, s, n, None, flag="$" if i == 2 else "+") for i, (s, n) in enumerate(pieces))
    yield "one-chunk", b"\x00" + assembler_event(2, 1, 500, None, end_mode=2, flag="$")
    interleaved = []
    for i, (s, n) in enumerate(pieces):
        for m in range(4):
            interleaved.append(assembler_event(m, s, n, total, flag="$" if i == 2 else "+"))
    yield "interleaved", b"\x00" + b"".join(interleaved)
    yield "stopped", b"\x00" + in_order[0] + assembler_event(0, 971, 970, total, stop=True) + in_order[2]


def cpim_seeds(vectors):
    """Seeds for cpim_fuzz: (name, bytes)."""
    for path in sorted(vectors.glob("rfc3862-*.cpim")):
        data = path.read_bytes()
        yield path.stem, data
        yield path.stem + "-lf", data.replace(b"\r\n", b"\n")
    yield "escapes-lf", (b'From: "Al \\"the\\" \\\\ \\u00e9\\uD83D\\uDE00" <im:al@example.com>\n'
                         b"To: Zo\xc3\xab <im:zoe@example.com>\ncc: <im:c@example.com>\n"
                         b"DateTime: 2024-05-01T10:00:00.123456+05:30\n"
                         b'x.y:;p=1;q="a b" v\n\nContent-Type: text/plain\n\nhi\n')
    yield "datetime-z-crlf", (b"From: <im:a@b>\r\nTo: <im:c@d>\r\nDateTime: 2016-12-31T23:59:60.5Z\r\n"
                              b"Subject:;lang=en hi\r\n\r\nContent-Type: text/plain\r\n\r\nbody")
    yield "folded-lf", (b"NS: <http://id.acme.widgets/wily-headers/>\nRequire: a.b, c\nrunner-trap: set\n\n"
                        b"Content-Type: multipart/mixed;\n  boundary=x\nContent-ID: <1@x>\n\n--x--\n")
    yield "rfc4975-s11.4-no-separator", (b"To: Bob <im:bob@example.com>\r\nFrom: Alice <im:alice@example.com>\r\n"
                                         b"DateTime: 2006-05-15T15:02:31-03:00\r\nContent-Type: text/plain\r\n\r\n"
                                         b"ABCD")


def sdp_seeds(vectors):
    """Seeds for sdp_media_fuzz: (name, bytes)."""
    for sub in SUBDIRS:
        for path in sorted((vectors / sub).glob("*.sdp")):
            data = path.read_bytes()
            yield path.stem, data
            yield path.stem + "-lf", data.replace(b"\r\n", b"\n")
            yield path.stem + "-section", data[data.index(b"m="):]
    yield "all-attributes-lf", (b"v=0\no=- 1 1 IN IP6 ::1\ns=-\na=fingerprint:sha-256 ab:CD:01\nc=IN IP6 ::1\n"
                                b"t=0 0\nm=audio 49170 RTP/AVP 0\nc=IN IP4 192.0.2.1\na=rtpmap:0 PCMU/8000\n"
                                b"m=message  7394   TCP/TLS/MSRP * \na=recvonly\nb=AS:64\ni=chat\n"
                                b"c=IN IP4 192.0.2.2\na=chatroom:nickname\na=path:msrps://192.0.2.2:7394/s1;tcp\n"
                                b"a=max-size:0042\na=accept-types:text/plain  text/*\t*\n"
                                b"a=accept-wrapped-types:text/plain;charset=UTF-8\na=setup:passive\n"
                                b"a=connection:existing\na=fingerprint:SHA-256 AA:BB\na=fingerprint:SHA-1 CC:DD\n"
                                b"a=msrp-cema\na=x:\nm=video 0 RTP/AVP 31\n")
    yield "two-msrp-media-crlf", (b"v=0\r\n\r\ns=Caf\xc3\xa9\tchat\r\nm=MESSAGE 1 tcp/tls/msrp *\r\n"
                                  b"a=path:msrps://[2001:db8::1]:1/x;tcp msrps://h.example/y;tcp\r\n"
                                  b"a=setup:holdconn\r\nm=message 0 TCP/MSRP * x-y\r\na=inactive\r\n\r\n")


def iscomposing_seeds(vectors):
    """Seeds for iscomposing_fuzz: (name, bytes)."""
    for path in sorted(vectors.glob("rfc3994-s5-*.xml")):
        data = path.read_bytes()
        yield path.stem, data
        # The other line end: XML reads CR LF as LF.
        if b"\r\n" in data:
            yield path.stem + "-lf", data.replace(b"\r\n", b"\n")
        else:
            yield path.stem + "-crlf", data.replace(b"\n", b"\r\n")
    schema = vectors / "rfc3994-s6.1-schema.xsd"
    if schema.is_file():
        yield schema.stem, schema.read_bytes()
    ns = b"urn:ietf:params:xml:ns:im-iscomposing"
    yield "prefixed", (b"<?xml version='1.0' encoding='utf-8' standalone='no'?>\n<im:isComposing xmlns:im='" + ns +
                       b"'>\n <im:state>active</im:state>\n <im:refresh>+0060</im:refresh>\n</im:isComposing>\n")
    yield "references-cdata", (b'<isComposing xmlns="' + ns + b'"><state> &#97;ctive </state>'
                               b"<contenttype>a&lt;b&gt;&amp;&quot;&apos;&#xE9;&#233;<![CDATA[<&>]]>\r\n</contenttype>"
                               b"<lastactive>2016-12-31T23:59:60.5+01:00</lastactive></isComposing>")
    yield "extensions", (b'<isComposing xmlns="' + ns + b'" xmlns:e="urn:example:ext"><e:a x="1"><e:b><state>'
                         b"bogus</state></e:b>text</e:a><state>idle</state><future/>"
                         b"<lastactive>2003-01-27T10:43:00Z</lastactive><e:c/></isComposing>")
    yield "comments-bom", (b"\xef\xbb\xbf<?xml version=\"1.0\"?><!-- c --><?app x?><isComposing xmlns=\"" + ns +
                           b"\"><!-- c --><state><?pi?>idle<!-- - --></state></isComposing><!-- end -->")


def reset_dir(path):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=pathlib.Path, default=DEFAULT_VECTORS)
    parser.add_argument("--out", type=pathlib.Path, default=FUZZ_DIR / "corpus")
    args = parser.parse_args()
    vectors = args.vectors.resolve()
    if not (vectors / "INDEX.json").is_file():
        sys.exit(f"no test vectors in {vectors} (use --vectors)")

    msrp_files = msrp_vectors(vectors)

    roundtrip = args.out / "roundtrip_fuzz"
    reset_dir(roundtrip)
    for path in msrp_files:
        shutil.copyfile(path, roundtrip / path.name)

    parser_dir = args.out / "chunk_parser_fuzz"
    reset_dir(parser_dir)
    for i, path in enumerate(msrp_files):
        suffix, build = PRESETS[i % len(PRESETS)]
        (parser_dir / f"{path.stem}.{suffix}").write_bytes(build(i) + path.read_bytes())
    baseline = (vectors / "valid-edge" / "edge01-baseline-send.msrp").read_bytes()
    for name, limits in SMALL_LIMIT_VARIANTS:
        (parser_dir / f"edge01-baseline-send.{name}").write_bytes(
            prefix(RANDOM | SMALL_LIMITS, piece=31, seed=7, limits=limits) + baseline)
    # Several chunks in one stream, as on a connection. Only vectors a strict
    # parser accepts, so the stream is not cut short by the first one.
    streams = {
        "stream-rfc4975-rfc4976": [p for p in msrp_files
                                   if p.parent == vectors and p.name.startswith(("rfc4975-s4", "rfc4975-s11.1", "rfc4976-s3"))],
        "stream-valid-edge": [p for p in msrp_files if p.parent.name == "valid-edge"],
    }
    for name, parts in streams.items():
        data = b"".join(p.read_bytes() for p in parts)
        if len(data) > MAX_SEED_BYTES:
            sys.exit(f"{name} is {len(data)} bytes, over {MAX_SEED_BYTES}")
        (parser_dir / f"{name}.random64").write_bytes(prefix(RANDOM | LENIENT, piece=63, seed=1) + data)

    demux_dir = args.out / "chunk_demux_fuzz"
    reset_dir(demux_dir)
    for name, data in demux_seeds(vectors, msrp_files):
        if len(data) > MAX_SEED_BYTES:
            sys.exit(f"{name} is {len(data)} bytes, over {MAX_SEED_BYTES}")
        (demux_dir / name).write_bytes(data)

    uri_dir = args.out / "uri_fuzz"
    reset_dir(uri_dir)
    values = path_values(vectors, msrp_files)
    for name, value in values:
        (uri_dir / name).write_bytes(value)

    assembler_dir = args.out / "message_assembler_fuzz"
    reset_dir(assembler_dir)
    for name, data in assembler_scripts():
        (assembler_dir / name).write_bytes(data)

    cpim_dir = args.out / "cpim_fuzz"
    reset_dir(cpim_dir)
    for name, data in cpim_seeds(vectors):
        (cpim_dir / name).write_bytes(data)

    sdp_dir = args.out / "sdp_media_fuzz"
    reset_dir(sdp_dir)
    for name, data in sdp_seeds(vectors):
        (sdp_dir / name).write_bytes(data)

    iscomposing_dir = args.out / "iscomposing_fuzz"
    reset_dir(iscomposing_dir)
    for name, data in iscomposing_seeds(vectors):
        (iscomposing_dir / name).write_bytes(data)
    iscomposing_files = list(iscomposing_dir.iterdir())
    shown = (iscomposing_dir.relative_to(args.out.parent) if iscomposing_dir.is_relative_to(args.out.parent)
             else iscomposing_dir)
    print(f"{shown}: {len(iscomposing_files)} files, {sum(f.stat().st_size for f in iscomposing_files)} bytes")

    for d in (roundtrip, parser_dir, demux_dir, uri_dir, assembler_dir, cpim_dir):
        files = list(d.iterdir())
        print(f"{d.relative_to(args.out.parent) if d.is_relative_to(args.out.parent) else d}: "
              f"{len(files)} files, {sum(f.stat().st_size for f in files)} bytes")
    sdp_files = list(sdp_dir.iterdir())
    print(f"{sdp_dir.relative_to(args.out.parent) if sdp_dir.is_relative_to(args.out.parent) else sdp_dir}: "
          f"{len(sdp_files)} files, {sum(f.stat().st_size for f in sdp_files)} bytes")


if __name__ == "__main__":
    main()
