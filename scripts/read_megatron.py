"""Reads a Megatron-LM indexed dataset (PREFIX.bin + PREFIX.idx), standard library only.

Usage: python3 scripts/read_megatron.py PREFIX [PREFIX ...]

Written from the layout of megatron/core/datasets/indexed_dataset.py (_IndexWriter and
_IndexReader), not from zeef's writer, so it checks `zeef export --format megatron`
independently. All integers are little-endian:

    .idx  b"MMIDIDX\\x00\\x00"  9 bytes
          version            uint64, must be 1
          dtype code         uint8   (1 uint8, 2 int8, 3 int16, 4 int32, 5 int64,
                                      6 float64, 7 float32, 8 uint16)
          sequence count n   uint64
          document count m   uint64  (document index entries: documents + 1)
          sequence lengths   n x int32   (elements per sequence)
          sequence pointers  n x int64   (byte offset of each sequence in .bin)
          document indices   m x int64   (document d is sequences idx[d] .. idx[d + 1])
    .bin  the sequences' elements, back to back, in the dtype

Prints one JSON object per prefix: dtype, sequence and document counts, and every document's
tokens (the concatenation of its sequences).
"""
import json
import struct
import sys
from array import array

INDEX_HEADER = b"MMIDIDX\x00\x00"
# Megatron's DType codes, as array typecodes and item sizes.
DTYPES = {
    1: ("uint8", "B", 1),
    2: ("int8", "b", 1),
    3: ("int16", "h", 2),
    4: ("int32", "i", 4),
    5: ("int64", "q", 8),
    6: ("float64", "d", 8),
    7: ("float32", "f", 4),
    8: ("uint16", "H", 2),
}


def _array(typecode, data, count, path):
    a = array(typecode)
    if a.itemsize * count != len(data):
        raise ValueError(f"{path}: cut short")
    a.frombytes(data)
    if sys.byteorder == "big":
        a.byteswap()
    return a


class IndexedDataset:
    """A Megatron indexed dataset opened from its path prefix."""

    def __init__(self, prefix):
        idx_path, self.bin_path = prefix + ".idx", prefix + ".bin"
        with open(idx_path, "rb") as f:
            idx = f.read()
        if idx[:9] != INDEX_HEADER:
            raise ValueError(f"{idx_path}: no MMIDIDX header")
        (version,) = struct.unpack_from("<Q", idx, 9)
        if version != 1:
            raise ValueError(f"{idx_path}: version {version}, not 1")
        (code,) = struct.unpack_from("<B", idx, 17)
        if code not in DTYPES:
            raise ValueError(f"{idx_path}: unknown dtype code {code}")
        self.dtype, self._typecode, self._itemsize = DTYPES[code]
        n, m = struct.unpack_from("<QQ", idx, 18)
        pos = 34
        self.sequence_lengths = _array("i", idx[pos : pos + 4 * n], n, idx_path)
        pos += 4 * n
        self.sequence_pointers = _array("q", idx[pos : pos + 8 * n], n, idx_path)
        pos += 8 * n
        self.document_indices = _array("q", idx[pos : pos + 8 * m], m, idx_path)
        pos += 8 * m
        if pos != len(idx):
            raise ValueError(f"{idx_path}: {len(idx) - pos} bytes after the document indices")
        with open(self.bin_path, "rb") as f:
            self._bin = f.read()
        expected = 0
        for i, (length, pointer) in enumerate(zip(self.sequence_lengths, self.sequence_pointers)):
            if pointer != expected:
                raise ValueError(f"{idx_path}: sequence {i} starts at {pointer}, not {expected}")
            expected += length * self._itemsize
        if expected != len(self._bin):
            raise ValueError(f"{self.bin_path}: {len(self._bin)} bytes, the index covers {expected}")
        d = list(self.document_indices)
        if not d or d[0] != 0 or d[-1] != n or any(a > b for a, b in zip(d, d[1:])):
            raise ValueError(f"{idx_path}: document indices do not run from 0 to {n}")

    def __len__(self):
        """The number of sequences."""
        return len(self.sequence_lengths)

    def __getitem__(self, i):
        """Sequence i's elements, as a list."""
        start = self.sequence_pointers[i]
        end = start + self.sequence_lengths[i] * self._itemsize
        return _array(self._typecode, self._bin[start:end], self.sequence_lengths[i], self.bin_path).tolist()

    def documents(self):
        """Yields each document's elements: its sequences, concatenated."""
        d = self.document_indices
        for a, b in zip(d, d[1:]):
            doc = []
            for s in range(a, b):
                doc.extend(self[s])
            yield doc


def main(prefixes):
    for prefix in prefixes:
        ds = IndexedDataset(prefix)
        docs = list(ds.documents())
        print(json.dumps({
            "prefix": prefix,
            "dtype": ds.dtype,
            "sequences": len(ds),
            "documents": len(docs),
            "tokens": docs,
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
