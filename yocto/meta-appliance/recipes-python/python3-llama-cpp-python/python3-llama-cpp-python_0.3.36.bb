SUMMARY = "Python bindings for llama.cpp, built with CUDA for the Jetson GPU"
DESCRIPTION = "llama-cpp-python with its vendored llama.cpp compiled by nvcc for the \
machine's CUDA architecture (sm_87 on Orin, sm_72 on Xavier)."
HOMEPAGE = "https://github.com/abetlen/llama-cpp-python"
SECTION = "devel/python"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE.md;md5=7b314940bc52f236ef5c740707a5a216"

SRC_URI[sha256sum] = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"

PYPI_PACKAGE = "llama-cpp-python"
PYPI_ARCHIVE_NAME = "llama_cpp_python-${PV}.tar.gz"

# cmake first: its toolchain file is used; python_pep517 then owns configure/compile/install.
inherit cmake pypi python_pep517 cuda

DEPENDS += "\
    cmake-native \
    cuda-cudart \
    cuda-libraries \
    libcublas \
    ninja-native \
    python3-pathspec-native \
    python3-scikit-build-core-native \
"

S = "${WORKDIR}/llama_cpp_python-${PV}"

# scikit-build-core reads CMAKE_ARGS; cuda.bbclass provides CUDA_ARCHITECTURES
# and the nvcc/host-compiler pairing for the machine.
export CMAKE_ARGS = "-DGGML_CUDA=on -DGGML_NATIVE=off -DLLAMA_CURL=off \
    -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES} \
    -DCMAKE_CUDA_COMPILER=${STAGING_BINDIR_NATIVE}/nvcc \
    -DCMAKE_TOOLCHAIN_FILE=${WORKDIR}/toolchain.cmake"

COMPATIBLE_MACHINE = "(tegra)"
PACKAGE_ARCH = "${TEGRA_PKGARCH}"

RDEPENDS:${PN} += "\
    cuda-cudart \
    libcublas \
    python3-ctypes \
    python3-diskcache \
    python3-jinja2 \
    python3-numpy \
    python3-typing-extensions \
"
