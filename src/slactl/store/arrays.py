"""Arrow arrays as numpy views without pyarrow's pandas shim (its import alone costs a quarter second)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def _dtype(kind: pa.DataType) -> np.dtype:
    if pa.types.is_boolean(kind):
        return np.dtype(bool)
    if pa.types.is_timestamp(kind) or pa.types.is_date64(kind):
        return np.dtype(np.int64)
    if pa.types.is_integer(kind):
        return np.dtype(f"{'i' if pa.types.is_signed_integer(kind) else 'u'}{kind.bit_width // 8}")
    if pa.types.is_floating(kind):
        return np.dtype(f"f{kind.bit_width // 8}")
    raise TypeError(f"no numpy view for {kind}")


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Numbers or booleans of a column (timestamps as int64 nanoseconds); read-only when zero-copy.

    Arrays with empty cells go through Arrow's own conversion; callers fill them first on hot paths.
    """
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks == 1:
            return to_numpy(array.chunk(0))
        parts = [to_numpy(chunk) for chunk in array.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=_dtype(array.type))
    if array.null_count:
        return np.asarray(array.to_numpy(zero_copy_only=False))
    kind = array.type
    count = len(array)
    data = array.buffers()[1]
    if data is None or count == 0:
        return np.zeros(count, dtype=_dtype(kind))
    if pa.types.is_boolean(kind):
        bits = np.frombuffer(data, dtype=np.uint8)
        return np.unpackbits(bits, count=array.offset + count, bitorder="little")[array.offset:].astype(bool)
    dtype = _dtype(kind)
    return np.frombuffer(data, dtype=dtype, count=count, offset=array.offset * dtype.itemsize)


def from_numpy(values: np.ndarray, type: pa.DataType | None = None, mask: np.ndarray | None = None) -> pa.Array:
    """An Arrow array of a numpy array of numbers or booleans, as `pa.array` gives, without pandas.

    `pa.array` on a numpy array imports pandas to look for pandas types (a quarter second of a
    command's start). `mask` marks empty cells (True = empty); `type` casts the result (safely).
    """
    values = np.ascontiguousarray(values)
    count = len(values)
    validity = None
    nulls = 0
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        nulls = int(mask.sum())
        if nulls:
            validity = pa.py_buffer(np.packbits(~mask, bitorder="little"))
    if values.dtype == np.bool_:
        natural = pa.bool_()
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
    else:
        natural = pa.from_numpy_dtype(values.dtype)
        data = pa.py_buffer(values)
    array = pa.Array.from_buffers(natural, count, [validity, data], null_count=nulls)
    return array if type is None or type == natural else array.cast(type)


def strings(values: list[str]) -> pa.Array:
    """An Arrow string array of Python strings, as `pa.array(values, pa.string())` gives, without pandas."""
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    if offsets[-1] < 2**31:
        return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets.astype(np.int32)), data])
    return pa.Array.from_buffers(pa.large_string(), len(encoded), [None, pa.py_buffer(offsets), data]).cast(pa.string())


def dictionary_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Integer codes over one list of values (-1 for an empty cell), and the values as text."""
    if not pa.types.is_dictionary(column.type):
        import pyarrow.compute as pc

        column = pc.dictionary_encode(column)
    chunks = column.chunks
    if len(chunks) > 1:  # each chunk has its own dictionary: one shared list first (no copy of the rows)
        column = pa.chunked_array(chunks, type=column.type).unify_dictionaries()
        chunks = column.chunks
    names = [str(v) for v in chunks[0].dictionary.to_pylist()] if chunks else []
    parts = [to_numpy(c.indices.fill_null(-1) if c.null_count else c.indices) for c in chunks]
    codes = np.concatenate(parts) if len(parts) > 1 else (parts[0] if parts else np.empty(0, np.int32))
    return codes, names


def rows_by_code(codes: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
    """Row positions of each value that occurs (codes of -1 are left out), in row order.

    One stable sort of small integer codes (a radix sort) instead of a comparison per value.
    """
    if len(names) < 2**15:
        codes = codes.astype(np.int16)
    order = np.argsort(codes, kind="stable")
    missing = int((codes < 0).sum()) if codes.size and codes.min() < 0 else 0
    counts = np.bincount(codes[codes >= 0] if missing else codes, minlength=len(names))
    bounds = np.concatenate([[0], np.cumsum(counts)]) + missing
    return {name: order[bounds[i]:bounds[i + 1]] for i, name in enumerate(names) if counts[i]}
