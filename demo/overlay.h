// The heat overlay of edgeattn-demo image --png: a model's map output
// (saliency, segmentation probability, ...) drawn over the input image in
// red, so a person can see where the map is high.
//
// The map ([1, h, w, 1] as the runner gives a 4-D output, or [1, 1, h, w])
// covers the network's input frame; each image pixel takes the map value at
// its place in that frame (the model's resize: stretch, letterbox or center
// crop, as runtime/tasks/image/preprocess.h places the image), sampled
// bilinearly (half-pixel centres); pixels the frame does not show (cut off
// by a center crop) are left as they are. Values: used as they are when
// they all lie in [0, 1] (a probability map), else through a sigmoid
// (logits). A pixel with value v becomes
//   R' = R (1 - a) + 255 a,  G' = G (1 - a),  B' = B (1 - a),  a = 0.6 v,
// rounded: red and only ever redder.
//
// Example:
//   MapView map;
//   if (map_of(runner.outputs()[0], &map)) {
//     Overlay o = heat_overlay(rgb, width, height, map, runner.image_info());
//     cli::write_png_rgb8("out.png", width, height, o.rgb.data(), &why);
//   }
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/model_info.h"
#include "runtime/tensor.h"

namespace edgeattn::demo {

struct MapView {
  const float* data = nullptr;  // [height, width]
  int height = 0;
  int width = 0;
};

// The tensor as a map: [1, h, w, 1] or [1, 1, h, w] f32; false otherwise.
bool map_of(const TensorView& t, MapView* out);

struct Overlay {
  std::vector<uint8_t> rgb;  // [height, width, 3], the image with the map drawn
  bool sigmoid = false;      // the map left [0, 1]: a sigmoid was applied
  float min = 0.f;           // the map's range, before any sigmoid
  float max = 0.f;
};

// `rgb` is [height, width, 3]; `image` the model's preprocessing.
Overlay heat_overlay(const uint8_t* rgb, int width, int height, const MapView& map, const ImageInfo& image);

}  // namespace edgeattn::demo
