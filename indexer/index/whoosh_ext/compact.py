"""A W3 codec whose posting blocks are packed integer arrays instead of pickles: the index's size.

Why: Whoosh's W3 codec writes each block of postings as one pickle of Python tuples: a
document-number delta costs 2-3 bytes, a weight 9 (a pickled double), and a posting's
positions a pickled `bytes` object of its own (~20 bytes of pickle around 2 bytes a
position). With compression off (for reading speed: schema.codec) the postings were 66%
of the index, 4x FTS5's size at 1x Reuters. Here a block's data is instead

    b"P1"  ids weights values

each part a one-byte kind then its bytes; integer arrays take the smallest of uint8,
uint16, uint32 that holds the block's largest number:

    ids      the document-number deltas (W3's own delta coding, from 0 in each block)
    weights  none (all 1.0) | one float32 | integers (width) | float32 array
    values   none | Frequency: each posting's count (width) | Positions: each posting's
             count, then every position delta (width each) | any other: the pickle W3
             writes, unchanged

Each block starts with a fixed 20-byte header in place of W3's pickled info tuple (27 bytes,
and a 4-byte tag before each term's first block: ~35 bytes a term, most terms having one
short block): the data's length (negative for a term's last block), the postings in the
block, its last document number, its largest weight (a double, as W3 keeps it) and its
shortest and longest field lengths (Whoosh's length bytes); Whoosh's skipping and
block-quality code read the same attributes from it as from W3's tuple. The same numbers come back: ids and
weights exactly (weights are float32 in W3's writer too), and a posting's value is rebuilt
as the very bytes its format encodes (`Positions.encode`: checked when the block is
written; a block whose values would not come back identical keeps W3's pickle).
`packing.py` encodes and decodes the blocks; `blocks.read_matcher` decodes the arrays with numpy, without Python objects per posting.

The codec is pickled into each segment of the TOC (W3Segment keeps its codec), so a segment
written with it is read with it, and an index of plain W3 segments still reads as before.
"""
from __future__ import annotations

from array import array

from whoosh.codec import whoosh3
from whoosh.codec.base import OutOfOrderError
from whoosh.formats import Positions

from .packing import HEAD, V_POSITIONS, Block, encode_block


class PackedPostingsWriter(whoosh3.W3PostingsWriter):
    """W3's writer with `encode_block` in place of the pickle (vector postings keep W3's)."""

    def block_limit(self) -> int:
        return self._blocklimit

    def write_whole_block(self, ids, weights, values, maxweight, minlength, maxlength, last: bool) -> None:
        """A block given whole, with the statistics `add_posting` would have gathered (PackedFieldWriter)."""
        self._ids, self._weights, self._values = array("I", ids), array("f", weights), values
        self._maxweight, self._minlength, self._maxlength = maxweight, minlength, maxlength
        self._write_block(last)

    def _write_block(self, last=False):
        if self._byteids:
            return super()._write_block(last)
        self._terminfo.add_block(self)
        databytes = encode_block(self._ids, self._weights, self._values, self._format)
        ids = self._ids
        self._postfile.write(HEAD.pack(-len(databytes) if last else len(databytes), len(ids), ids[-1],
                                       self._maxweight, whoosh3.length_to_byte(self._minlength),
                                       whoosh3.length_to_byte(self._maxlength)))
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class PackedFieldWriter(whoosh3.W3FieldWriter):
    """W3's field writer taking a whole term's postings at a time: the same files, byte for byte.

    Whoosh's `FieldWriter.add_postings` makes four method calls a posting (with type assertions and
    a field-length look-up each); at commit that was about a third of the indexer's CPU time. Here
    a term's postings are gathered into lists, cut into blocks of `blocklimit`, and each block's
    statistics (largest weight, shortest and longest field length) are computed in one pass."""

    def add_postings(self, schema, lengths, items):
        lastfn = lasttext = None
        ids: list = []
        weights: list = []
        values: list = []
        field_length = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                if lasttext is not None:
                    self._write_term(ids, weights, values, field_length)
                    ids, weights, values = [], [], []
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                field_length = _length_lookup(lengths, fieldname)
                lastfn, lasttext = fieldname, None
            if docnum == -1:            # Whoosh's spelling hack (no such postings here): skipped, as Whoosh does
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise OutOfOrderError(f"Term {lastfn}:{lasttext!r} .. {fieldname}:{btext!r}")
                    self._write_term(ids, weights, values, field_length)
                    ids, weights, values = [], [], []
                self._btext = lasttext = btext
            ids.append(docnum)
            weights.append(weight)
            values.append(value)
        if lasttext is not None:
            self._write_term(ids, weights, values, field_length)

    def _write_term(self, ids: list, weights: list, values: list, field_length) -> None:
        """start_term, add_posting for each, finish_term: W3's block statistics, computed per block."""
        pw = self._postwriter
        pw.start_postings(self._format, whoosh3.W3TermInfo())
        limit, n = pw.block_limit(), len(ids)
        for start in range(0, n, limit):
            end = min(n, start + limit)
            chunk = ids[start:end]
            found = [x for x in field_length(chunk) if x]
            top = max(weights[start:end])
            pw.write_whole_block(chunk, weights[start:end], [v for v in values[start:end] if v],   # W3 keeps non-empty values
                                 top if top > 0 else 0, min(found) if found else None, max(found) if found else 0,
                                 last=end == n)
        self.finish_term()


def _length_lookup(lengths, fieldname: str):
    """docnums -> each one's length in the field, as `lengths.doc_field_length(docnum, fieldname)`
    gives it (0 with no lengths, None for a document without one); read once per field."""
    if not lengths:
        return lambda docnums: [0] * len(docnums)
    if type(lengths) is whoosh3.W3PerDocReader and lengths.doc_field_length.__func__ is _patched_length():
        from .blocks import length_bytes        # blocks imports this module
        from .patches import _LENGTH_OF_BYTE
        data = length_bytes(lengths, fieldname)
        if data is None:
            return lambda docnums: [0] * len(docnums)
        table = [_LENGTH_OF_BYTE[b] if b else None for b in bytes(data)]
        size = len(table)
        return lambda docnums: [table[d] if d < size else _check_doc(lengths, d) for d in docnums]
    dfl = lengths.doc_field_length
    return lambda docnums: [dfl(d, fieldname) for d in docnums]


def _check_doc(lengths, docnum: int):
    count = lengths._doccount  # noqa: SLF001
    if docnum > count:
        raise IndexError(f"Asked for docnum {docnum!r} of {count}")
    return None


def _patched_length():
    from .patches import doc_field_length
    return doc_field_length


class PackedLeafMatcher(whoosh3.W3LeafMatcher):
    """W3's matcher reading packed blocks; Whoosh's skipping and scoring code are unchanged."""

    def _read_header(self):
        self._baseoffset = self._startoffset          # no tag before the first block

    def _goto(self, position):
        # W3's _goto, with the fixed header for the pickled tuple; read with get() (no shared seek)
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        length, count, maxid, maxweight, mn, mx = HEAD.unpack(self._postfile.get(position, HEAD.size))
        self._lastblock = length < 0
        self._dataoffset = position + HEAD.size
        self._nextoffset = self._dataoffset + abs(length)
        self._blocklength, self._maxid, self._maxweight, self._compression = count, maxid, maxweight, 0
        self._minlength, self._maxlength = whoosh3.byte_to_length(mn), whoosh3.byte_to_length(mx)

    def _read_data(self):
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        self._data = Block(raw, self._blocklength)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = self._data.ids.tolist()

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = array("f", self._data.weights.tobytes())

    def _read_values(self):
        if self._data is None:
            self._read_data()
        self._values = _LazyValues(self._data)

    def value_as(self, astype):
        if astype == "positions" and type(self.format) is Positions:
            if self._data is None:
                self._read_data()
            if self._data.vkind == V_POSITIONS:
                return self._data.positions(self._i)
        return super().value_as(astype)


class _LazyValues:
    """A block's values, each built when asked for (a phrase check reads a few of 512)."""

    __slots__ = ("_block",)

    def __init__(self, block: Block):
        self._block = block

    def __getitem__(self, i):
        return self._block.value(i)


class PackedCodec(whoosh3.W3Codec):
    """W3Codec writing and reading packed posting blocks (module docstring)."""

    def __init__(self, blocklimit=128, compression=0, inlinelimit=1):
        if not 0 < blocklimit < 65536:
            raise ValueError("a packed block holds fewer than 65,536 postings")
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return PackedFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        cls = whoosh3.W3PostingsWriter if byteids else PackedPostingsWriter
        return cls(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                   compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def is_packed(matcher) -> bool:
    return isinstance(matcher, PackedLeafMatcher)


def matcher_class(codec) -> type:
    """The leaf matcher class reading the postings a segment's codec wrote."""
    return PackedLeafMatcher if isinstance(codec, PackedCodec) else whoosh3.W3LeafMatcher
