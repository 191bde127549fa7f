// Precompiled header for engine translation units: the libtorch API.
#pragma once

#include <torch/torch.h>
