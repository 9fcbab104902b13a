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
