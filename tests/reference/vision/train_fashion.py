"""Trains issue #17's five small vision-attention models on Fashion-MNIST,
exports each to ONNX and writes torch's outputs on the test set as oracle
fixtures for the C++ tests.

  python3 tests/reference/vision/train_fashion.py [--model NAME|all] [--out tests/fixtures/vision]

System python3 (Debian 12: python3-torch 1.13, python3-numpy, python3-onnx,
dataset-fashion-mnist). CPU only, 2 threads, seeded and deterministic: the
same torch build on the same CPU gives the same weights, ONNX files and
fixtures (only train_seconds in the .json differs). README.md beside this
file describes the models, the input convention and the fixture formats.
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import math
import os
import random
import sys
import time
from collections import Counter

# Threads that wait sleep instead of spinning: on a shared machine spinning
# OpenMP workers made steps ~6x slower. Does not change any result.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fashion_mnist as fm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # the repository
DEFAULT_OUT = os.path.join(ROOT, "tests", "fixtures", "vision")
OPSET = 17
THREADS = 2
TEST_CLIP_SEED = 10017  # temporal_clips_test.i32


# ---------------------------------------------------------------- (a) ViT

class Linear(nn.Linear):
    """nn.Linear; in training mode computed as oneDNN's 1x1 convolution over
    the rows (channels-last, so no copy). Same math: Debian's torch uses the
    reference BLAS (BLAS_INFO=generic) for F.linear, about 6x slower here.
    Eval mode, the fixtures and the ONNX export use F.linear."""

    def forward(self, x):
        if not self.training:
            return F.linear(x, self.weight, self.bias)
        rows = x.reshape(1, -1, x.shape[-1], 1).permute(0, 2, 1, 3)   # [1, in, M, 1] NHWC
        y = F.conv2d(rows, self.weight[:, :, None, None], self.bias)  # [1, out, M, 1]
        return y.permute(0, 2, 1, 3).reshape(*x.shape[:-1], self.out_features)


class Attention(nn.Module):
    """Multi-head self-attention written out (no SDPA, no nn.MultiheadAttention)."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.qkv = Linear(dim, dim * 3)
        self.proj = Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = Linear(dim, hidden)
        self.act = nn.GELU()  # exact (erf)
        self.fc2 = Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-LN transformer block."""

    def __init__(self, dim: int, heads: int, mlp_hidden: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, mlp_hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        x = x + self.mlp(self.norm2(x))
        return x


class VitTiny(nn.Module):
    """DeiT-style ViT: 4x4 patches (7x7 = 49), CLS token, 4 blocks of dim 64."""

    def __init__(self, dim=64, depth=4, heads=4, mlp_hidden=128, patch=4, classes=10):
        super().__init__()
        self.patch_embed = nn.Conv2d(1, dim, patch, stride=patch)
        n_patches = (28 // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n_patches + 1, dim))
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp_hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch_embed(x)                 # [N, 64, 7, 7]
        x = x.flatten(2).transpose(1, 2)        # [N, 49, 64]
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls, x), dim=1)          # [N, 50, 64]
        x = x + self.pos_embed
        x = self.blocks(x)
        x = self.norm(x)
        return self.head(x[:, 0])


# ---------------------------------------------------------------- (b) CBAM

def conv_bn_relu(cin: int, cout: int, k: int = 3, dilation: int = 1) -> nn.Sequential:
    pad = dilation * (k // 2)
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=pad, dilation=dilation, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ChannelAttention(nn.Module):
    """CBAM channel attention: sigmoid(MLP(avgpool x) + MLP(maxpool x)), shared MLP."""

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        hidden = channels // reduction
        self.mlp = nn.Sequential(nn.Conv2d(channels, hidden, 1, bias=False),
                                 nn.ReLU(inplace=True),
                                 nn.Conv2d(hidden, channels, 1, bias=False))

    def forward(self, x):
        avg = self.mlp(F.adaptive_avg_pool2d(x, 1))
        mx = self.mlp(torch.amax(x, dim=(2, 3), keepdim=True))   # global max pool
        return x * torch.sigmoid(avg + mx)


class SpatialAttention(nn.Module):
    """CBAM spatial attention: sigmoid(conv7x7([mean_C x, max_C x]))."""

    def __init__(self, kernel: int = 7):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel, padding=kernel // 2, bias=False)

    def forward(self, x):
        avg = torch.mean(x, dim=1, keepdim=True)
        mx = torch.amax(x, dim=1, keepdim=True)
        return x * torch.sigmoid(self.conv(torch.cat([avg, mx], dim=1)))


class CBAM(nn.Module):
    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        self.channel = ChannelAttention(channels, reduction)
        self.spatial = SpatialAttention(7)

    def forward(self, x):
        return self.spatial(self.channel(x))


class CbamCnn(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn_relu(1, 32), nn.MaxPool2d(2), CBAM(32),    # 14x14
            conv_bn_relu(32, 64), nn.MaxPool2d(2), CBAM(64),   # 7x7
        )
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


# ---------------------------------------------------------------- (c) SKNet

class SKConv(nn.Module):
    """Selective kernel (SKNet): a 3x3 and a dilated 3x3 (5x5 field) branch,
    fused by a softmax over the two branches per channel."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        d = max(cout // 4, 16)
        self.branch1 = conv_bn_relu(cin, cout, 3, dilation=1)
        self.branch2 = conv_bn_relu(cin, cout, 3, dilation=2)
        self.fc = nn.Sequential(nn.Conv2d(cout, d, 1, bias=False), nn.BatchNorm2d(d),
                                nn.ReLU(inplace=True))
        self.fc1 = nn.Conv2d(d, cout, 1)
        self.fc2 = nn.Conv2d(d, cout, 1)

    def forward(self, x):
        u1 = self.branch1(x)
        u2 = self.branch2(x)
        u = u1 + u2
        s = F.adaptive_avg_pool2d(u, 1)                      # [N, C, 1, 1]
        z = self.fc(s)                                       # [N, d, 1, 1]
        a = torch.stack([self.fc1(z), self.fc2(z)], dim=1)   # [N, 2, C, 1, 1]
        a = torch.softmax(a, dim=1)
        a1, a2 = a.unbind(1)
        return a1 * u1 + a2 * u2


class SkCnn(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn_relu(1, 32), nn.MaxPool2d(2),     # 14x14
            SKConv(32, 32), nn.MaxPool2d(2),          # 7x7
            SKConv(32, 64),
        )
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


# ---------------------------------------------------------------- (d) temporal

class TemporalClip(nn.Module):
    """Shared per-frame CNN -> [T, F] + temporal position embedding -> one
    self-attention layer over time (2 heads) with residual + LayerNorm ->
    mean over time -> Linear."""

    def __init__(self, frames=fm.CLIP_FRAMES, feat=64, heads=2, classes=10):
        super().__init__()
        self.frames = frames
        self.feat = feat
        self.heads = heads
        self.head_dim = feat // heads
        self.scale = self.head_dim ** -0.5
        self.cnn = nn.Sequential(
            conv_bn_relu(1, 32), nn.MaxPool2d(2),     # 14x14
            conv_bn_relu(32, 64), nn.MaxPool2d(2),    # 7x7
            conv_bn_relu(64, feat),
        )
        self.time_embed = nn.Parameter(torch.zeros(frames, feat))
        nn.init.trunc_normal_(self.time_embed, std=0.02)
        self.q = nn.Linear(feat, feat)
        self.k = nn.Linear(feat, feat)
        self.v = nn.Linear(feat, feat)
        self.proj = nn.Linear(feat, feat)
        self.norm = nn.LayerNorm(feat)
        self.fc = nn.Linear(feat, classes)

    def forward(self, clip):                          # [B, T, 28, 28]
        T, C, H, Dh = self.frames, self.feat, self.heads, self.head_dim
        x = clip.reshape(-1, 1, 28, 28)               # [B*T, 1, 28, 28]
        x = self.cnn(x)
        x = F.adaptive_avg_pool2d(x, 1).reshape(-1, T, C)   # [B, T, F]
        x = x + self.time_embed
        q = self.q(x).reshape(-1, T, H, Dh).transpose(1, 2)  # [B, H, T, Dh]
        k = self.k(x).reshape(-1, T, H, Dh).transpose(1, 2)
        v = self.v(x).reshape(-1, T, H, Dh).transpose(1, 2)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)                   # over time
        y = (attn @ v).transpose(1, 2).reshape(-1, T, C)
        x = self.norm(x + self.proj(y))
        return self.fc(x.mean(dim=1))


# ---------------------------------------------------------------- (e) U-Net

def double_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(conv_bn_relu(cin, cout), conv_bn_relu(cout, cout))


class AttentionGate(nn.Module):
    """Oktay et al. 2018: alpha = sigmoid(psi(relu(W_g g + W_x x))), out = x * alpha."""

    def __init__(self, f_g: int, f_x: int, f_int: int):
        super().__init__()
        self.W_g = nn.Sequential(nn.Conv2d(f_g, f_int, 1), nn.BatchNorm2d(f_int))
        self.W_x = nn.Sequential(nn.Conv2d(f_x, f_int, 1), nn.BatchNorm2d(f_int))
        self.psi = nn.Sequential(nn.Conv2d(f_int, 1, 1), nn.BatchNorm2d(1))

    def forward(self, g, x):
        alpha = torch.sigmoid(self.psi(F.relu(self.W_g(g) + self.W_x(x))))
        return x * alpha


class AttentionUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = double_conv(1, 16)                 # 28
        self.enc2 = double_conv(16, 32)                # 14
        self.bottom = double_conv(32, 64)              # 7
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(64, 32, 2, stride=2)   # 7 -> 14
        self.gate2 = AttentionGate(32, 32, 16)
        self.dec2 = double_conv(64, 32)
        self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2)   # 14 -> 28
        self.gate1 = AttentionGate(16, 16, 8)
        self.dec1 = double_conv(32, 16)
        self.out = nn.Conv2d(16, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottom(self.pool(e2))
        g2 = self.up2(b)
        d2 = self.dec2(torch.cat([self.gate2(g2, e2), g2], dim=1))
        g1 = self.up1(d2)
        d1 = self.dec1(torch.cat([self.gate1(g1, e1), g1], dim=1))
        return self.out(d1)


# ---------------------------------------------------------------- configs

# samples: training images (clips) seen per epoch, a fresh seeded permutation
# of the 60,000 each epoch, cut to this many. Sized for <= ~4 min on 2 cores.
CONFIGS = {
    "vit_tiny": dict(cls=VitTiny, kind="classify", epochs=1, samples=50000, batch=64,
                     lr=1e-3, weight_decay=0.05, warmup=0.1),
    "cbam_cnn": dict(cls=CbamCnn, kind="classify", epochs=3, samples=60000, batch=128,
                     lr=3e-3, weight_decay=1e-4, warmup=0.05),
    "sk_cnn": dict(cls=SkCnn, kind="classify", epochs=3, samples=60000, batch=128,
                   lr=3e-3, weight_decay=1e-4, warmup=0.05),
    "temporal_clip": dict(cls=TemporalClip, kind="clip", epochs=3, samples=24000, batch=64,
                          lr=2e-3, weight_decay=1e-4, warmup=0.05),
    "attention_unet": dict(cls=AttentionUNet, kind="segment", epochs=1, samples=30000,
                           batch=64, lr=3e-3, weight_decay=1e-4, warmup=0.05),
}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(THREADS)


def lr_lambda(total: int, warmup_frac: float):
    warm = max(1, int(total * warmup_frac))

    def f(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        t = (step - warm) / max(1, total - warm)
        return 0.5 * (1.0 + math.cos(math.pi * t))
    return f


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def export_onnx(model: nn.Module, dummy: torch.Tensor, path: str, input_name: str,
                output_name: str, dynamic_batch: bool) -> None:
    kwargs = dict(opset_version=OPSET, input_names=[input_name], output_names=[output_name],
                  do_constant_folding=True)
    if dynamic_batch:
        kwargs["dynamic_axes"] = {input_name: {0: "N"}, output_name: {0: "N"}}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter
    torch.onnx.export(model, dummy, path, **kwargs)


def onnx_op_counts(path: str) -> dict | None:
    try:
        import onnx
    except ImportError:
        return None
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return dict(sorted(Counter(n.op_type for n in m.graph.node).items()))


@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray, batch: int = 500) -> np.ndarray:
    model.eval()
    out = [model(torch.from_numpy(x[i:i + batch])).numpy() for i in range(0, len(x), batch)]
    return np.concatenate(out).astype(np.float32)


def train_one(name: str, out_dir: str, seed: int) -> dict:
    cfg = CONFIGS[name]
    seed_everything(seed)
    train_images, train_labels = fm.load("train")
    test_images, test_labels = fm.load("test")
    model = cfg["cls"]()
    n_params = sum(p.numel() for p in model.parameters())
    kind = cfg["kind"]

    # Test inputs and targets.
    if kind == "clip":
        test_clips = fm.make_clips(test_labels, len(test_labels), TEST_CLIP_SEED)
        test_clips.astype("<i4").tofile(os.path.join(out_dir, "temporal_clips_test.i32"))
        x_test = fm.clip_inputs(test_images, test_clips)
        y_test = test_clips[:, -1].astype(np.int64)
    else:
        x_test = fm.normalize(test_images)[:, None]
        y_test = test_labels.astype(np.int64)

    steps_per_epoch = cfg["samples"] // cfg["batch"]
    total = steps_per_epoch * cfg["epochs"]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(total, cfg["warmup"]))
    gen = torch.Generator().manual_seed(seed)
    x_train_all = torch.from_numpy(fm.normalize(train_images)[:, None])
    mask_train_all = torch.from_numpy(fm.foreground_mask(train_images)[:, None].astype(np.float32))
    y_train_all = torch.from_numpy(train_labels.astype(np.int64))

    print(f"[{name}] {n_params} parameters, {cfg['epochs']} epochs x {steps_per_epoch} steps "
          f"of {cfg['batch']}", flush=True)
    t0 = time.time()
    for epoch in range(cfg["epochs"]):
        model.train()
        if kind == "clip":
            clips = fm.make_clips(train_labels, cfg["samples"], seed + 100 + epoch)
            xs = torch.from_numpy(fm.clip_inputs(train_images, clips))
            ys = torch.from_numpy(clips[:, -1].astype(np.int64))
        else:
            perm = torch.randperm(len(train_images), generator=gen)[:cfg["samples"]]
            xs = x_train_all[perm]
            ys = mask_train_all[perm] if kind == "segment" else y_train_all[perm]
        run_loss = 0.0
        for step in range(steps_per_epoch):
            xb = xs[step * cfg["batch"]:(step + 1) * cfg["batch"]]
            yb = ys[step * cfg["batch"]:(step + 1) * cfg["batch"]]
            out = model(xb)
            if kind == "segment":
                loss = F.binary_cross_entropy_with_logits(out, yb)
            else:
                loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            run_loss += loss.item()
            if (step + 1) % 100 == 0 or step + 1 == steps_per_epoch:
                print(f"[{name}] epoch {epoch + 1} step {step + 1}/{steps_per_epoch} "
                      f"loss {run_loss / ((step % 100) + 1):.4f} {time.time() - t0:.0f}s",
                      flush=True)
                run_loss = 0.0
    train_seconds = time.time() - t0

    # Oracle outputs: torch, eval mode, the test set.
    model.eval()
    out = predict(model, x_test)
    meta = {"model": name}
    if kind == "segment":
        pred = out[:, 0] > 0                                   # [N, 28, 28]
        target = fm.foreground_mask(test_images)
        inter = (pred & target).reshape(len(pred), -1).sum(1)
        union = (pred | target).reshape(len(pred), -1).sum(1)
        iou = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
        np.packbits(pred.reshape(len(pred), -1), axis=None).tofile(
            os.path.join(out_dir, f"{name}.mask.bits"))
        out[:64].astype("<f4").tofile(os.path.join(out_dir, f"{name}.logits_first64.f32"))
        metrics = {"mean_iou": float(iou.mean()), "pixel_accuracy": float((pred == target).mean())}
    else:
        out.astype("<f4").tofile(os.path.join(out_dir, f"{name}.logits.f32"))
        metrics = {"test_accuracy": float((out.argmax(1) == y_test).mean())}

    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    if kind == "clip":
        export_onnx(model, torch.from_numpy(x_test[:1]), onnx_path, "clip", "logits", False)
        in_shape = [1, fm.CLIP_FRAMES, 28, 28]
        out_name, out_shape = "logits", [1, 10]
    elif kind == "segment":
        export_onnx(model, torch.from_numpy(x_test[:2]), onnx_path, "image", "mask", True)
        in_shape = ["N", 1, 28, 28]
        out_name, out_shape = "mask", ["N", 1, 28, 28]
    else:
        export_onnx(model, torch.from_numpy(x_test[:2]), onnx_path, "image", "logits", True)
        in_shape = ["N", 1, 28, 28]
        out_name, out_shape = "logits", ["N", 10]

    meta.update({
        "onnx_sha256": sha256(onnx_path),
        "onnx_bytes": os.path.getsize(onnx_path),
        "opset": OPSET,
        "torch_version": torch.__version__,
        "input": {"name": "clip" if kind == "clip" else "image", "shape": in_shape,
                  "mean": fm.MEAN, "std": fm.STD},
        "output": {"name": out_name, "shape": out_shape},
        **metrics,
        "n_test": int(len(x_test)),
        "epochs": cfg["epochs"],
        "train_samples_per_epoch": cfg["samples"],
        "batch": cfg["batch"],
        "seed": seed,
        "params": n_params,
        "train_seconds": round(train_seconds, 1),
        "threads": THREADS,
    })
    if kind == "clip":
        meta["test_clips"] = {"file": "temporal_clips_test.i32", "seed": TEST_CLIP_SEED}
    ops = onnx_op_counts(onnx_path)
    if ops is not None:
        meta["onnx_ops"] = ops
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(f"[{name}] {json.dumps({k: meta[k] for k in metrics})} train {train_seconds:.0f}s "
          f"onnx {meta['onnx_bytes']} bytes", flush=True)
    return meta


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="all", choices=["all", *CONFIGS])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    names = list(CONFIGS) if args.model == "all" else [args.model]
    for name in names:
        train_one(name, args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
