"""ModelInfo as frozen dataclasses: what a loaded model is, as plain values.

Built once per Model from the C++ ModelInfo (runtime/model_info.h); symbolic
dims of activations are strings ("batch", "seq", "height/32", ...), fixed
dims ints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple, Union

Dim = Union[int, str]


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str  # "f32", "i32", ...
    shape: Tuple[Dim, ...]


@dataclass(frozen=True)
class MethodInfo:
    name: str  # e.g. "forward", "encode", "decode"
    inputs: Tuple[TensorInfo, ...]
    outputs: Tuple[TensorInfo, ...]
    op_count: int


@dataclass(frozen=True)
class AudioInfo:
    sample_rate: int
    n_fft: int
    hop_length: int
    n_mels: int
    chunk_samples: int
    n_frames: int


@dataclass(frozen=True)
class ImageInfo:
    height: int
    width: int
    channels: int
    frames: int
    mean: Tuple[float, ...]
    std: Tuple[float, ...]
    bgr: bool
    resize: str  # "stretch", "letterbox", "center-crop"
    labels: Tuple[str, ...]


@dataclass(frozen=True)
class ModelInfo:
    architecture: str  # "BertEncoder", "LlamaDecoder", "EncoderDecoder", ...
    task: str  # "embedding", "text-generation", "speech-recognition", ...
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    max_positions: int
    max_input_tokens: int
    pooling: str
    normalize_embeddings: bool
    has_tokenizer: bool
    chat_template: str
    dtype: str  # "fp32", "fp16", "int8", "int8-static", "int4", ""
    producer: str
    producer_version: str
    source: str
    source_format: str
    format_version: Tuple[int, int]
    file_size: int
    weight_bytes: int
    tensor_count: int
    methods: Tuple[MethodInfo, ...]
    audio: Optional[AudioInfo]
    image: Optional[ImageInfo]

    def method(self, name: str) -> MethodInfo:
        """The method called `name` (KeyError if the model has none)."""
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(f"no method {name!r}; the model has {[m.name for m in self.methods]}")


def _tensors(items: Any) -> Tuple[TensorInfo, ...]:
    return tuple(TensorInfo(t["name"], t["dtype"], tuple(t["shape"])) for t in items)


def model_info_from_dict(d: dict) -> ModelInfo:
    """The dataclasses from _edgeattn.Model.info_dict()'s dict."""
    fields = dict(d)
    fields["methods"] = tuple(
        MethodInfo(m["name"], _tensors(m["inputs"]), _tensors(m["outputs"]), m["op_count"]) for m in d["methods"])
    fields["format_version"] = tuple(d["format_version"])
    fields["audio"] = AudioInfo(**d["audio"]) if d["audio"] is not None else None
    if d["image"] is not None:
        image = dict(d["image"])
        for key in ("mean", "std", "labels"):
            image[key] = tuple(image[key])
        fields["image"] = ImageInfo(**image)
    return ModelInfo(**fields)
