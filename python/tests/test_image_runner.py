"""ImageRunner on the committed vision fixtures (tests/fixtures/vision):
tiny ONNX classifiers and a 3-frame clip model, converted with their
preprocessing; outputs against onnxruntime's (reference.json, made by
tests/reference/make_vision_fixtures.py), top-k against numpy's softmax."""

import json

import numpy as np
import pytest

import edgeattn
import models
import png

FIXTURES = models.SOURCE / "tests" / "fixtures" / "vision"
REFERENCE = json.loads((FIXTURES / "reference.json").read_text())
CASES = REFERENCE["cases"]


def convert_case(case, out):
    edgeattn.convert(FIXTURES / case["model"], out, image_size=(case["height"], case["width"]),
                     image_mean=case["mean"], image_std=case["std"], image_resize=case["resize"],
                     image_frames=case["frames"], image_bgr=case["bgr"],
                     labels=FIXTURES / "labels.txt" if "top" in case else None)
    return edgeattn.Model(out)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_outputs_equal_onnxruntime(case, tmp_path):
    model = convert_case(case, tmp_path / "m.eatn")
    info = model.info.image
    assert (info.height, info.width, info.frames, info.resize) == (case["height"], case["width"], case["frames"],
                                                                  case["resize"])
    images = [png.read_rgb(FIXTURES / name) for name in case["images"]]
    for threads in (1, 2):
        runner = edgeattn.ImageRunner(model, threads=threads)
        outs = runner.run_clip(images) if case["frames"] > 1 else runner.run(images[0])
        assert len(outs) == 1 and not outs[0].flags.writeable
        got = outs[0].reshape(-1)
        want = np.array(case["output"], dtype=np.float32)
        # The C++ test's bound (tests/runtime/tasks/image_runner_test.cc):
        # float32 sums in another order than onnxruntime's.
        assert np.max(np.abs(got - want)) <= 1e-4
        if "top" not in case:
            continue
        top = runner.top_k(5)
        assert [c.index for c in top] == case["top"]
        assert [c.label for c in top] == [REFERENCE["labels"][i] for i in case["top"]]
        for c in top:
            assert abs(c.probability - case["probabilities"][c.index]) <= 1e-5
            assert abs(c.score - case["output"][c.index]) <= 1e-4


def test_batch_rows_equal_single_runs(tmp_path):
    case = CASES[0]
    model = convert_case(case, tmp_path / "m.eatn")
    images = [png.read_rgb(FIXTURES / n) for n in ("photo.png", "wide.png", "exact.png")]
    single = [np.array(edgeattn.ImageRunner(model).run(im)[0]) for im in images]
    (batch,) = edgeattn.ImageRunner(model, max_batch=3).run_batch(images)
    for b, row in enumerate(single):
        np.testing.assert_array_equal(batch[b], row[0])


def test_bad_images_raise(tmp_path):
    model = convert_case(CASES[0], tmp_path / "m.eatn")
    runner = edgeattn.ImageRunner(model)
    with pytest.raises(edgeattn.Error) as e:
        runner.run(np.zeros((8, 8), dtype=np.uint8))
    assert e.value.code == "invalid_argument"
    with pytest.raises(edgeattn.Error):
        runner.run(np.zeros((0, 8, 3), dtype=np.uint8))
    with pytest.raises(edgeattn.Error):
        runner.run_batch([np.zeros((8, 8, 3), dtype=np.uint8)] * 2)  # max_batch 1
    with pytest.raises(edgeattn.Error):
        edgeattn.ImageRunner(model).top_k(3)  # before any run
