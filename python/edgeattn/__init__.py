"""edgeattn from Python: load a .eatn model, run its task, convert checkpoints.

The same C++ runtime as edgeattn-demo and the C API (one arena per session,
weights used in place from the mmap), with numpy arrays in and out. Every
call that computes (invoke, embed, generate, transcribe, convert) releases
the GIL, so sessions on other threads run at the same time. One object runs
one call at a time (a lock serializes calls from several threads).

Example:
    import edgeattn
    model = edgeattn.Model("minilm.eatn")
    print(model.info.architecture, model.info.dtype)
    rows = edgeattn.Embedder(model).embed(["How do I bake bread?", "Knead the dough."])
    print(rows.shape, float(rows[0] @ rows[1]))           # (2, 384), cosine (rows are normalized)

    story = edgeattn.Generator(edgeattn.Model("stories260K.eatn"))
    print(story.generate("Once upon a time", max_tokens=64))
    for piece in story.stream("One day", max_tokens=32):  # as the tokens are sampled
        print(piece, end="", flush=True)

Errors: every failure raises edgeattn.Error; str(e) is the runtime's
message (naming the tensor, op or option at fault), e.code its kind
("invalid_argument", "invalid_model", "io_error", ...).
"""

from __future__ import annotations

import codecs
import os
import queue
import threading
from typing import Iterator, List, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import _edgeattn
from ._info import AudioInfo, ImageInfo, MethodInfo, ModelInfo, TensorInfo, model_info_from_dict

__all__ = ["Error", "Model", "ModelInfo", "MethodInfo", "TensorInfo", "AudioInfo", "ImageInfo", "Session",
           "Embedder", "Generator", "Transcriber", "Segment", "ImageRunner", "ImageClass", "TextReader", "TextLine", "Translator",
           "convert", "kernel_tables", "__version__"]

__version__: str = _edgeattn.__version__
Error = _edgeattn.Error
PathLike = Union[str, "os.PathLike[str]"]


def _text(data: bytes) -> str:
    """The runtime's text (bytes: a token may end mid-character) as str,
    invalid UTF-8 replaced."""
    return bytes(data).decode("utf-8", errors="replace")


def kernel_tables() -> List[str]:
    """The kernel tables this build has and this CPU runs, reference first, the
    preferred last (what kernels=None picks), e.g. ['reference', 'avx2', 'avx512vnni']."""
    return list(_edgeattn.kernel_tables())


class Model:
    """A verified, read-only .eatn file, mapped once and shared by every
    Session and task made from it (they keep it alive)."""

    def __init__(self, path: PathLike):
        self.path = os.fspath(path)
        self._impl = _edgeattn.Model(self.path)
        self.info: ModelInfo = model_info_from_dict(self._impl.info_dict())

    def tokenize(self, text: str, *, add_special_tokens: bool = True, parse_special: bool = False) -> List[int]:
        """Token ids of `text` with the model's own tokenizer ([CLS] ... [SEP] or BOS
        with add_special_tokens; parse_special: text spelling a control token becomes it)."""
        return list(self._impl.tokenize(text, add_special_tokens, parse_special))

    def detokenize(self, ids: Sequence[int]) -> str:
        """The text of `ids`, special tokens skipped (invalid UTF-8 replaced)."""
        return _text(self._impl.detokenize(list(ids)))

    def __repr__(self) -> str:
        i = self.info
        return f"Model({self.path!r}: {i.architecture}, {i.dtype or 'fp32'}, {i.n_layers} layers, {i.file_size} bytes)"


class Session:
    """One stream of inference over a Model's method (the low-level API).

    invoke() takes token ids int32 [batch, seq] and/or the method's float32
    inputs in order (C-contiguous arrays of the right dtype are not copied)
    and returns the outputs as read-only arrays that VIEW the session's
    arena: they keep the session alive, but the next invoke() overwrites
    them — copy (np.array(out)) what you keep. Decoders carry a KV cache
    across invokes (past); reset() starts a new sequence.
    """

    def __init__(self, model: Model, *, method: Optional[str] = None, max_batch: int = 1, max_seq: int = 128,
                 max_context: int = 0, threads: int = 1, kernels: Optional[str] = None, kv_dtype: str = "f32",
                 max_source_seq: int = 0, max_image_height: int = 0, max_image_width: int = 0):
        self.model = model
        self._lock = threading.Lock()
        self._impl = _edgeattn.Session(model._impl, method, max_batch, max_seq, max_context, threads, kernels,
                                       kv_dtype, max_source_seq, max_image_height, max_image_width)

    def invoke(self, ids: Optional[np.ndarray] = None, *, lengths: Optional[np.ndarray] = None,
               inputs: Sequence[Optional[np.ndarray]] = (), all_positions: bool = False, source_seq: int = 0,
               image_size: Optional[tuple] = None) -> List[np.ndarray]:
        """Runs the method once; returns outputs() (views, see the class doc).
        lengths: valid tokens per row (padding masks); image_size: (height, width)."""
        height, width = image_size if image_size is not None else (0, 0)
        with self._lock:
            self._impl.invoke(ids, lengths, list(inputs), all_positions, source_seq, height, width)
            return self._impl.outputs()

    def outputs(self) -> List[np.ndarray]:
        """The last invoke's outputs, as read-only views of the arena."""
        return self._impl.outputs()

    def reset(self) -> None:
        with self._lock:
            self._impl.reset()

    @property
    def past(self) -> int:
        """Positions in the KV cache (decoders); 0 for encoders."""
        return self._impl.past

    @property
    def method(self) -> str:
        return self._impl.method

    @property
    def kernel_table(self) -> str:
        """The kernel table this session runs, e.g. 'avx512vnni'."""
        return self._impl.kernel_table

    @property
    def memory(self) -> dict:
        """arena_bytes, activation_bytes, persistent_bytes, kv_cache_bytes, ... (bytes)."""
        return self._impl.memory


class Embedder:
    """Texts -> one vector per text (BERT-style encoders): tokenized, padded,
    pooled and L2-normalized as the model says. Sized once at creation
    (max_batch texts per invoke, max_tokens per text; 0: the model's)."""

    def __init__(self, model: Model, *, max_batch: int = 8, max_tokens: int = 0, threads: int = 1,
                 kernels: Optional[str] = None):
        self.model = model
        self._lock = threading.Lock()
        self._impl = _edgeattn.Embedder(model._impl, max_batch, max_tokens, threads, kernels)

    def embed(self, texts: Union[str, Sequence[str]]) -> np.ndarray:
        """float32 [len(texts), dimension] (a single str: [dimension])."""
        single = isinstance(texts, str)
        with self._lock:
            rows = self._impl.embed([texts] if single else list(texts))
        return rows[0] if single else rows

    def embed_tokens(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """As embed() for texts already tokenized (specials included)."""
        with self._lock:
            return self._impl.embed_tokens([list(row) for row in ids])

    @property
    def dimension(self) -> int:
        return self._impl.dimension

    @property
    def last_stats(self) -> dict:
        return self._impl.last_stats


_SAMPLING_KEYS = ("temperature", "top_k", "top_p", "repetition_penalty", "penalty_window", "seed")


class Generator:
    """Text generation with a decoder LM (Llama, GPT-2 families).

    Sampling defaults are set here (temperature 0: greedy) and can be
    overridden per call. generate() starts a new context each call; chat()
    keeps it across turns (the model's chat template, if it has one) until
    reset(). stream() / chat_stream() yield the text as it is sampled.
    """

    def __init__(self, model: Model, *, max_context: int = 0, prefill_chunk: int = 64, threads: int = 1,
                 kernels: Optional[str] = None, kv_dtype: str = "f32", context_policy: str = "stop",
                 system_prompt: str = "", temperature: float = 0.0, top_k: int = 0, top_p: float = 1.0,
                 repetition_penalty: float = 1.0, penalty_window: int = 64, seed: int = 42):
        self.model = model
        self._lock = threading.Lock()
        self._sampling = dict(temperature=temperature, top_k=top_k, top_p=top_p,
                              repetition_penalty=repetition_penalty, penalty_window=penalty_window, seed=seed)
        self._impl = _edgeattn.Generator(model._impl, max_context, prefill_chunk, threads, kernels, kv_dtype,
                                         context_policy, system_prompt, **self._sampling)

    def generate(self, prompt: str, max_tokens: int = 256, *, echo_prompt: bool = False, **sampling) -> str:
        """The reply to `prompt` in a new context (stops at EOS, max_tokens or a
        full context). sampling: temperature, top_k, top_p, repetition_penalty,
        penalty_window, seed for this call."""
        return self._run(False, prompt, max_tokens, None, echo_prompt, sampling)

    def stream(self, prompt: str, max_tokens: int = 256, *, echo_prompt: bool = False,
               **sampling) -> Iterator[str]:
        """As generate(), yielding text as it is sampled. Leaving the loop early
        stops the generation at the next token."""
        return self._stream(False, prompt, max_tokens, echo_prompt, sampling)

    def chat(self, text: str, max_tokens: int = 256, **sampling) -> str:
        """One conversation turn: `text` as the user's message, the reply returned."""
        return self._run(True, text, max_tokens, None, False, sampling)

    def chat_stream(self, text: str, max_tokens: int = 256, **sampling) -> Iterator[str]:
        return self._stream(True, text, max_tokens, False, sampling)

    def reset(self) -> None:
        """Forgets the conversation (the next chat() is a first turn)."""
        with self._lock:
            self._impl.reset()

    @property
    def last_stats(self) -> dict:
        """prompt_tokens, generated, prefill_ms, decode_ms, stop_reason, ... of the last call."""
        return self._impl.last_stats

    @property
    def context(self) -> List[int]:
        return self._impl.context

    @property
    def max_context(self) -> int:
        return self._impl.max_context

    def _run(self, chat: bool, text: str, max_tokens: int, on_piece, echo_prompt: bool, sampling: dict) -> str:
        unknown = set(sampling) - set(_SAMPLING_KEYS)
        if unknown:
            raise TypeError(f"unknown sampling options {sorted(unknown)}; known: {list(_SAMPLING_KEYS)}")
        with self._lock:
            self._impl.set_sampling(**{**self._sampling, **sampling})
            if chat:
                reply = self._impl.chat(text, max_tokens, on_piece)
            else:
                reply = self._impl.generate(text, max_tokens, on_piece, echo_prompt)
        return _text(reply)

    def _stream(self, chat: bool, text: str, max_tokens: int, echo_prompt: bool, sampling: dict) -> Iterator[str]:
        # The generation runs on a worker thread (the GIL released inside);
        # its pieces arrive through a queue, decoded incrementally (a token
        # may end inside a UTF-8 character). The queue is unbounded so that
        # an abandoned stream never blocks the worker (which holds this
        # Generator's lock): leaving the loop stops it at its next token.
        pieces: "queue.Queue" = queue.Queue()
        stop = threading.Event()
        done = object()

        def on_piece(piece: bytes) -> bool:
            pieces.put(piece)
            return not stop.is_set()

        def work() -> None:
            try:
                self._run(chat, text, max_tokens, on_piece, echo_prompt, sampling)
                pieces.put(done)
            except BaseException as error:  # handed to the consumer
                pieces.put(error)

        worker = threading.Thread(target=work, name="edgeattn-generate", daemon=True)
        worker.start()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            while True:
                item = pieces.get()
                if item is done:
                    tail = decoder.decode(b"", final=True)
                    if tail:
                        yield tail
                    return
                if isinstance(item, BaseException):
                    raise item
                piece = decoder.decode(item)
                if piece:
                    yield piece
        finally:
            stop.set()
            worker.join()


class Segment(NamedTuple):
    start: float  # seconds into the recording
    end: float
    text: str


class Transcriber:
    """Speech -> text with a Whisper-style model (greedy, openai-whisper's
    30-s window loop). Sized for recordings up to max_audio_seconds."""

    def __init__(self, model: Model, *, max_audio_seconds: float = 30.0, timestamps: bool = False,
                 threads: int = 1, kernels: Optional[str] = None):
        self.model = model
        self._lock = threading.Lock()
        self._impl = _edgeattn.Transcriber(model._impl, max_audio_seconds, timestamps, threads, kernels)

    def transcribe(self, audio: Union[PathLike, bytes, np.ndarray], sample_rate: int = 16000) -> str:
        """The transcript of a WAV file (path or its bytes) or of float32 mono
        samples in [-1, 1] at sample_rate."""
        if not isinstance(audio, (np.ndarray, bytes, bytearray, memoryview)):
            with open(audio, "rb") as f:  # read before taking the lock
                audio = f.read()
        with self._lock:
            if isinstance(audio, np.ndarray):
                text = self._impl.transcribe(audio, sample_rate)
            else:
                text = self._impl.transcribe_wav(bytes(audio))
        return _text(text)

    @property
    def segments(self) -> List[Segment]:
        """The last transcript's pieces with their times (timestamps=True gives real times)."""
        return [Segment(s, e, _text(t)) for s, e, t in self._impl.segments]

    @property
    def last_stats(self) -> dict:
        return self._impl.last_stats


class ImageClass(NamedTuple):
    index: int  # into the first output's last axis (and ModelInfo.image.labels)
    label: str  # "" without labels
    probability: float  # softmax over the row (or the score itself, softmax=False)
    score: float  # the output value


class ImageRunner:
    """Images -> an image model's outputs (classifiers, segmentation or
    saliency maps, clip models), with the preprocessing stored in the model
    (resize, gray, mean / std, layout). Images: uint8 arrays [height, width, 3]
    in RGB order. The outputs are read-only views of the arena, valid until
    the next run (as Session's)."""

    def __init__(self, model: Model, *, max_batch: int = 1, threads: int = 1, kernels: Optional[str] = None,
                 softmax: bool = True):
        self.model = model
        self._lock = threading.Lock()
        self._impl = _edgeattn.ImageRunner(model._impl, max_batch, threads, kernels, softmax)

    def run(self, image: np.ndarray) -> List[np.ndarray]:
        """One image through the model (a one-frame model)."""
        with self._lock:
            return self._impl.run(image)

    def run_batch(self, images: Sequence[np.ndarray]) -> List[np.ndarray]:
        """Up to max_batch images in one invoke; output row b is image b."""
        with self._lock:
            return self._impl.run_batch(list(images))

    def run_clip(self, frames: Sequence[np.ndarray]) -> List[np.ndarray]:
        """One clip of ModelInfo.image.frames images, oldest first."""
        with self._lock:
            return self._impl.run_clip(list(frames))

    def top_k(self, k: int = 5, row: int = 0) -> List[ImageClass]:
        """The k most probable classes of the last run's row `row`, best first."""
        with self._lock:
            return [ImageClass(*c) for c in self._impl.top_k(k, row)]

    @property
    def last_stats(self) -> dict:
        return self._impl.last_stats


class TextLine(NamedTuple):
    text: str
    box: np.ndarray  # float32 [4, 2]: (x, y) of top-left, top-right, bottom-right, bottom-left, image pixels
    confidence: float  # the recognizer's mean probability of the kept characters
    rotated: bool  # the direction classifier turned the line by 180 degrees


class TextReader:
    """OCR: an RGB image -> its lines of text in reading order, with
    RapidOCR's PP-OCR pipeline (detector, direction classifier, recognizer;
    a model converted from RapidOCR's ONNX folder)."""

    def __init__(self, model: Model, *, max_side: int = 960, max_lines: int = 64, max_line_width: int = 1280,
                 classify_angle: bool = True, threads: int = 1, kernels: Optional[str] = None):
        self.model = model
        self._lock = threading.Lock()
        self._impl = _edgeattn.TextReader(model._impl, max_side, max_lines, max_line_width, classify_angle, threads,
                                          kernels)

    def read(self, image: np.ndarray) -> List[TextLine]:
        """The lines of a uint8 [height, width, 3] RGB image."""
        with self._lock:
            lines = self._impl.read(image)
        return [TextLine(_text(t), box, conf, rot) for t, box, conf, rot in lines]

    @property
    def last_stats(self) -> dict:
        return self._impl.last_stats


class Translator:
    """Text -> translated text with a Marian / Bergamot model (converted from
    its folder): sentences split, each encoded and decoded greedily over the
    model's lexical shortlist, joined with the source's whitespace."""

    def __init__(self, model: Model, *, max_source_tokens: int = 256, max_text_bytes: int = 1 << 14,
                 split_sentences: bool = True, shortlist: bool = True, threads: int = 1,
                 kernels: Optional[str] = None):
        self.model = model
        self._lock = threading.Lock()
        self._impl = _edgeattn.Translator(model._impl, max_source_tokens, max_text_bytes, split_sentences, shortlist,
                                          threads, kernels)

    def translate(self, text: str) -> str:
        with self._lock:
            return _text(self._impl.translate(text))

    @property
    def last_stats(self) -> dict:
        return self._impl.last_stats


def convert(input: PathLike, output: PathLike, *, dtype: str = "", tokenizer: Optional[PathLike] = None,
            keep_fp32: Sequence[str] = (), smooth: bool = True, pack_f32: bool = False,
            calibration_file: Optional[PathLike] = None, image_size: Optional[tuple] = None,
            image_mean: Sequence[float] = (), image_std: Sequence[float] = (), labels: Optional[PathLike] = None,
            image_resize: str = "", image_channels: int = 0, image_frames: int = 1, image_bgr: bool = False) -> dict:
    """edgeattn-convert as a call: a checkpoint (HF folder, GGUF, llama2.c .bin,
    CTranslate2 Whisper folder, ONNX file or folder) -> a verified .eatn.
    dtype: "fp32", "fp16", "int8", "int8-static", "int4" or "" (the source's).
    ONNX image models: image_size (height, width), image_mean / image_std (per
    channel, on p / 255), labels (a file, one per line), image_resize
    ("stretch", "letterbox", "center-crop"), image_channels, image_frames,
    image_bgr: the preprocessing ImageRunner applies (edgeattn-convert's --image-*).
    Returns file_bytes, weight_bytes, tensor_count, milliseconds."""
    height, width = image_size if image_size is not None else (0, 0)
    return _edgeattn.convert(os.fspath(input), os.fspath(output), dtype,
                             os.fspath(tokenizer) if tokenizer is not None else "", list(keep_fp32), smooth,
                             pack_f32, os.fspath(calibration_file) if calibration_file is not None else "",
                             (height, width), list(image_mean), list(image_std),
                             os.fspath(labels) if labels is not None else "", image_resize, image_channels,
                             image_frames, image_bgr)
