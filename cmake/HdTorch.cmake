# Finds libtorch and defines the interface target `hd::torch`.
#
# Search order:
#   1. Torch_DIR or CMAKE_PREFIX_PATH given by the user (libtorch 2.x);
#   2. the torch wheel of HD_PYTHON (default: <source>/.venv/bin/python3, then python3);
#   3. whatever find_package(Torch) finds, e.g. Debian's libtorch-dev, which is 1.13: too old
#      (the engine uses libtorch 2 operators and profiler APIs), refused with a clear message.
# Tested with the wheels of torch 2.11 (CUDA 13) and 2.15 (CPU).
# Sets HD_TORCH_VERSION, HD_TORCH_SOURCE and HD_WITH_CUDA_RESOLVED.

if(NOT HD_PYTHON)
  if(EXISTS ${CMAKE_SOURCE_DIR}/.venv/bin/python3)
    set(HD_PYTHON ${CMAKE_SOURCE_DIR}/.venv/bin/python3)
  else()
    find_program(HD_PYTHON NAMES python3)
  endif()
endif()

set(HD_TORCH_SOURCE "user Torch_DIR")
if(NOT Torch_DIR AND HD_PYTHON)
  execute_process(
    COMMAND ${HD_PYTHON} -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE _hd_torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET RESULT_VARIABLE _hd_torch_rc)
  if(_hd_torch_rc EQUAL 0 AND EXISTS "${_hd_torch_prefix}/Torch/TorchConfig.cmake")
    set(Torch_DIR "${_hd_torch_prefix}/Torch" CACHE PATH "libtorch CMake package" FORCE)
    # TorchConfig looks up Caffe2 with find_dependency(); without this it may pick Debian's
    # /usr/lib/.../cmake/Caffe2 (libtorch-dev 1.13) and mix 2.x headers with 1.13 libraries.
    set(Caffe2_DIR "${_hd_torch_prefix}/Caffe2" CACHE PATH "Caffe2 CMake package of the wheel" FORCE)
    # TorchConfig's find_library() searches the system folders before the wheel's: with
    # libtorch-dev installed it would link Debian's 1.13 libraries against 2.x headers.
    get_filename_component(_hd_wheel_lib "${_hd_torch_prefix}/../../lib" ABSOLUTE)
    set(TORCH_LIBRARY "${_hd_wheel_lib}/libtorch.so" CACHE FILEPATH "libtorch of the wheel" FORCE)
    set(c10_LIBRARY "${_hd_wheel_lib}/libc10.so" CACHE FILEPATH "c10 of the wheel" FORCE)
    set(HD_TORCH_SOURCE "PyPI wheel of ${HD_PYTHON}")
  endif()
endif()

# The CUDA wheel's config probes the GPUs of this machine with a try_run unless the
# architectures are given; that probe fails to configure under C++20 and there may be no
# GPU here anyway. Name the architectures (A100, RTX 30xx/40xx, H100) unless the user did.
if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "8.0;8.6;8.9;9.0")
endif()
find_package(Torch REQUIRED)
if(HD_TORCH_SOURCE STREQUAL "user Torch_DIR" AND Torch_DIR MATCHES "^/usr/")
  set(HD_TORCH_SOURCE "system ${Torch_DIR}")
endif()
set(HD_TORCH_VERSION ${Torch_VERSION})
if(NOT HD_TORCH_VERSION)
  set(HD_TORCH_VERSION "unknown")
elseif(HD_TORCH_VERSION VERSION_LESS 2.0)
  message(FATAL_ERROR "libtorch ${HD_TORCH_VERSION} (${HD_TORCH_SOURCE}, Torch_DIR=${Torch_DIR}) is too old: "
                      "the engine needs libtorch 2 (tested: 2.11, 2.15). Debian's libtorch-dev is 1.13; "
                      "packaging/setup-debian.sh installs the PyPI torch wheel into .venv, which CMake then uses "
                      "(or pass -DHD_PYTHON=<python with torch 2> or -DTorch_DIR=<libtorch 2>/share/cmake/Torch).")
endif()

# CUDA: AUTO means the libtorch found has CUDA and nvcc exists.
set(_hd_torch_has_cuda OFF)
if(TARGET torch_cuda)
  set(_hd_torch_has_cuda ON)
endif()
include(CheckLanguage)
check_language(CUDA)
if(HD_WITH_CUDA STREQUAL "AUTO")
  if(_hd_torch_has_cuda AND CMAKE_CUDA_COMPILER)
    set(HD_WITH_CUDA_RESOLVED ON)
  else()
    set(HD_WITH_CUDA_RESOLVED OFF)
  endif()
elseif(HD_WITH_CUDA)
  if(NOT _hd_torch_has_cuda)
    message(FATAL_ERROR "HD_WITH_CUDA=ON but the libtorch at ${Torch_DIR} has no CUDA support")
  endif()
  if(NOT CMAKE_CUDA_COMPILER)
    message(FATAL_ERROR "HD_WITH_CUDA=ON but nvcc was not found (set CMAKE_CUDA_COMPILER)")
  endif()
  set(HD_WITH_CUDA_RESOLVED ON)
else()
  set(HD_WITH_CUDA_RESOLVED OFF)
endif()

add_library(hd_torch INTERFACE)
add_library(hd::torch ALIAS hd_torch)
target_include_directories(hd_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
if(TORCH_CXX_FLAGS)
  separate_arguments(_hd_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  target_compile_options(hd_torch INTERFACE ${_hd_torch_flags})
endif()

if(HD_WITH_CUDA_RESOLVED)
  target_link_libraries(hd_torch INTERFACE torch)
  target_compile_definitions(hd_torch INTERFACE HD_WITH_CUDA=1)
  # The PyPI wheel finds its CUDA libraries through RPATH entries ($ORIGIN/../../nvidia/*/lib).
  # At link time GNU ld would pick system copies (e.g. an older NCCL under /usr/local/cuda)
  # instead, so point -rpath-link at the wheel's own folders.
  get_filename_component(_hd_torch_lib_dir "${TORCH_LIBRARY}" DIRECTORY)
  file(GLOB _hd_nvidia_dirs LIST_DIRECTORIES true "${_hd_torch_lib_dir}/../../nvidia/*/lib")
  if(_hd_nvidia_dirs)
    list(JOIN _hd_nvidia_dirs ":" _hd_rpath_link)
    target_link_options(hd_torch INTERFACE "LINKER:-rpath-link,${_hd_rpath_link}")
  endif()
else()
  # CPU only: link the CPU library alone, so start-up does not load the CUDA stack.
  if(TARGET torch_cpu_library)
    target_link_libraries(hd_torch INTERFACE torch_cpu_library c10)
  else()
    target_link_libraries(hd_torch INTERFACE ${TORCH_LIBRARIES})
  endif()
endif()

# OpenMP for the engine's own at::parallel_for loops (engine/src/common/torch_parallel.cpp):
# the libgomp libtorch loads (the wheel ships its own), so that one runtime and one pool of
# threads serve both; a system libgomp otherwise.
find_package(OpenMP REQUIRED COMPONENTS CXX)
get_filename_component(_hd_torch_lib_dir "${TORCH_LIBRARY}" DIRECTORY)
if(EXISTS "${_hd_torch_lib_dir}/libgomp.so.1")
  set(HD_TORCH_OPENMP_LIBRARY "${_hd_torch_lib_dir}/libgomp.so.1")
else()
  set(HD_TORCH_OPENMP_LIBRARY ${OpenMP_CXX_LIBRARIES})
endif()
