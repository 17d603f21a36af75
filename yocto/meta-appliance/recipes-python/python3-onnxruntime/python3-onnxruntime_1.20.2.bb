SUMMARY = "ONNX Runtime with the CUDA and TensorRT execution providers (onnxruntime-gpu)"
DESCRIPTION = "ONNX Runtime built from source for the Jetson GPU: the Python package \
onnxruntime-gpu with the CUDA and TensorRT execution providers, compiled by nvcc for \
the machine's CUDA architecture (sm_87 on Orin) against meta-tegra's CUDA, cuDNN and \
TensorRT."
HOMEPAGE = "https://onnxruntime.ai"
SECTION = "devel/python"
# ONNX Runtime is MIT; the third-party code it compiles in statically carries
# Apache-2.0 (abseil, onnx, flatbuffers), BSD-3-Clause (protobuf, re2, pybind11,
# cutlass), BSD-2-Clause (cpuinfo), MPL-2.0 (eigen) and BSL-1.0 (mp11). Their
# texts ship in the package as onnxruntime/ThirdPartyNotices.txt.
LICENSE = "MIT & Apache-2.0 & BSD-2-Clause & BSD-3-Clause & MPL-2.0 & BSL-1.0"
LIC_FILES_CHKSUM = "file://LICENSE;md5=0f7e3b1308cb5c00b372a6e78835732d"

DEPENDS += "\
    cuda-cudart \
    cudnn \
    libcublas \
    libcufft \
    libcurand \
    patch-native \
    patchelf-native \
    python3-numpy \
    python3-packaging-native \
    python3-setuptools-native \
    python3-wheel-native \
    tensorrt-core \
    tensorrt-plugins \
"

# Version: the project asks for onnxruntime-gpu >= 1.20. 1.20.2 is a release of
# the JetPack 6 era, built upstream against CUDA 12.x, cuDNN 9 and TensorRT 10.x,
# which is what meta-tegra scarthgap (L4T R36) ships: CUDA 12.6, cuDNN 9.3,
# TensorRT 10.3. The x86 development environment installs the newest
# onnxruntime-gpu instead; releases after 1.20 were not checked here against
# TensorRT 10.3 and CUDA 12.6, so the image stays on this one until they are.
#
# CHECKSUM NOT KNOWN: the sha256 of this release archive could not be
# determined on the machine this recipe was written on (no access to GitHub).
# It is deliberately left out rather than guessed: with BB_STRICT_CHECKSUM = "1"
# (set in yocto/kas/base.yml) do_fetch stops with "Missing SRC_URI checksum"
# and prints the value. Verify that value against the v1.20.2 release before adding it here as
# SRC_URI[onnxruntime.sha256sum].
# nooelint: oelint.vars.srcurichecksum
SRC_URI = "https://github.com/microsoft/onnxruntime/archive/refs/tags/v${PV}.tar.gz;name=onnxruntime;downloadfilename=onnxruntime-${PV}.tar.gz"

# Eigen, at the commit cmake/deps.txt of this release names. Taken from git, by
# commit, because GitLab regenerates the zip archive deps.txt points at and its
# SHA1 no longer matches (microsoft/onnxruntime#26707); the checkout is handed to
# CMake through onnxruntime_USE_PREINSTALLED_EIGEN below.
SRC_URI += "git://gitlab.com/libeigen/eigen.git;protocol=https;nobranch=1;name=eigen;destsuffix=eigen"
SRCREV_eigen = "e7248b26a1ed53fa030c5c459f7ea095dfd276ac"

# protoc for the build host. The generated code must match the protobuf
# release ONNX Runtime compiles in (21.12), so it cannot come from
# protobuf-native (25.x on scarthgap); this is the upstream release binary that
# ONNX Runtime's own cross builds use. x86_64 build hosts only (checked below).
# sha1: cmake/deps.txt (protoc_linux_x64); sha256: as pinned by
# meta-st-x-linux-ai's onnxruntime recipe for the same file.
SRC_URI += "https://github.com/protocolbuffers/protobuf/releases/download/v21.12/protoc-21.12-linux-x86_64.zip;name=protoc;subdir=protoc-21.12;downloadfilename=onnxruntime-${PV}-protoc-21.12-linux-x86_64.zip"
SRC_URI[protoc.sha1sum] = "338462004aa5be9fba45b35b5b4be43f69b47a90"
SRC_URI[protoc.sha256sum] = "3a4c1e5f2516c639d3079b1586e703fc7bcfa2136d58bda24d1d54f949c315e8"

# The FetchContent dependencies of cmake/deps.txt that this configuration
# (Linux aarch64, CUDA + TensorRT, Python, no tests) needs. bitbake fetches them
# here, unpacked, and ort_link_deps_mirror lays them out as the local mirror
# ONNX Runtime reads first (onnxruntime_CMAKE_DEPS_MIRROR_DIR): CMake then
# takes each archive from disk instead of the network, still checks it against
# the SHA1 in deps.txt and still applies the release's own patches from
# cmake/patches (which FETCHCONTENT_SOURCE_DIR_<NAME> would skip).
#
# The checksums are sha1sum (bitbake verifies any one of md5/sha1/sha256/
# sha384/sha512): ONNX Runtime's own pins for these exact URLs, copied
# unchanged from a cmake/deps.txt of its main branch taken just after the 1.20
# branch point (the 1.20.2 source itself could not be read here); no sha256 of
# these archives is known here. That 1.20.2 names the same URLs and SHA1s is
# therefore not yet confirmed: ort_check_deps_pins compares them with the
# release's deps.txt and stops the build before configure on any difference.
# nooelint: oelint.vars.srcurichecksum
SRC_URI += "\
    https://github.com/abseil/abseil-cpp/archive/refs/tags/20240722.0.zip;name=abseil-cpp;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-abseil-cpp-20240722.0.zip \
    https://github.com/google/re2/archive/refs/tags/2024-07-02.zip;name=re2;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-re2-2024-07-02.zip \
    https://github.com/protocolbuffers/protobuf/archive/refs/tags/v21.12.zip;name=protobuf;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-protobuf-21.12.zip \
    https://github.com/protocolbuffers/utf8_range/archive/72c943dea2b9240cd09efde15191e144bc7c7d38.zip;name=utf8-range;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-utf8-range-72c943de.zip \
    https://github.com/HowardHinnant/date/archive/refs/tags/v3.0.1.zip;name=date;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-date-3.0.1.zip \
    https://github.com/boostorg/mp11/archive/refs/tags/boost-1.82.0.zip;name=mp11;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-mp11-boost-1.82.0.zip \
    https://github.com/nlohmann/json/archive/refs/tags/v3.10.5.zip;name=json;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-json-3.10.5.zip \
    https://github.com/pytorch/cpuinfo/archive/ca678952a9a8eaa6de112d154e8e104b22f9ab3f.zip;name=cpuinfo;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-cpuinfo-ca678952.zip \
    https://github.com/microsoft/GSL/archive/refs/tags/v4.0.0.zip;name=gsl;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-gsl-4.0.0.zip \
    https://github.com/dcleblanc/SafeInt/archive/refs/tags/3.0.28.zip;name=safeint;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-safeint-3.0.28.zip \
    https://github.com/google/flatbuffers/archive/refs/tags/v23.5.26.zip;name=flatbuffers;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-flatbuffers-23.5.26.zip \
    https://github.com/onnx/onnx/archive/refs/tags/v1.16.1.zip;name=onnx;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-onnx-1.16.1.zip \
    https://github.com/pybind/pybind11/archive/refs/tags/v2.13.1.zip;name=pybind11;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-pybind11-2.13.1.zip \
    https://github.com/NVIDIA/cutlass/archive/refs/tags/v3.5.1.zip;name=cutlass;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-cutlass-3.5.1.zip \
    https://github.com/NVIDIA/cudnn-frontend/archive/refs/tags/v1.7.0.zip;name=cudnn-frontend;unpack=0;subdir=${ORT_DEPS_SUBDIR};downloadfilename=onnxruntime-${PV}-dep-cudnn-frontend-1.7.0.zip \
"
SRC_URI[abseil-cpp.sha1sum] = "36ee53eb1466fb6e593fc5c286680de31f8a494a"
SRC_URI[re2.sha1sum] = "646e1728269cde7fcef990bf4a8e87b047882e88"
SRC_URI[protobuf.sha1sum] = "7cf2733949036c7d52fda017badcab093fe73bfa"
SRC_URI[utf8-range.sha1sum] = "9925739c9debc0efa2adcb194d371a35b6a03156"
SRC_URI[date.sha1sum] = "2dac0c81dc54ebdd8f8d073a75c053b04b56e159"
SRC_URI[mp11.sha1sum] = "9bc9e01dffb64d9e0773b2e44d2f22c51aace063"
SRC_URI[json.sha1sum] = "f257f8dc27c5b8c085dc887b40cddd18ae1f725c"
SRC_URI[cpuinfo.sha1sum] = "138bf57d2a110935330d1048dce6d7b82d17d377"
SRC_URI[gsl.sha1sum] = "cf368104cd22a87b4dd0c80228919bb2df3e2a14"
SRC_URI[safeint.sha1sum] = "23f252040ff6cb9f1fd18575b32fa8fb5928daac"
SRC_URI[flatbuffers.sha1sum] = "59422c3b5e573dd192fead2834d25951f1c1670c"
SRC_URI[onnx.sha1sum] = "2eb9198bb352757d5ff13977cbe0634898e0837c"
SRC_URI[pybind11.sha1sum] = "9255d5c8568debcc329dd42ed8f410ee139ac7b1"
SRC_URI[cutlass.sha1sum] = "e49b2b964163d27765a5002d210a2f3c73771835"
SRC_URI[cudnn-frontend.sha1sum] = "d0753d8d5b39947ca0729d7773cb84653a129eb1"

S = "${WORKDIR}/onnxruntime-${PV}"

ORT_DEPS_SUBDIR = "ort-deps"
ORT_DEPS_DIR = "${WORKDIR}/${ORT_DEPS_SUBDIR}"
ORT_DEPS_MIRROR = "${WORKDIR}/ort-deps-mirror"
ORT_EIGEN_DIR = "${WORKDIR}/eigen"
ORT_PROTOC = "${WORKDIR}/protoc-21.12/bin/protoc"
# numpy 1.26 on scarthgap keeps its C headers under numpy/core.
ORT_NUMPY_INCLUDE_DIR ?= "${RECIPE_SYSROOT}${PYTHON_SITEPACKAGES_DIR}/numpy/core/include"

# cmake first for its toolchain file; cuda (meta-tegra) for nvcc, the host
# compiler pairing and CMAKE_CUDA_ARCHITECTURES; python_pep517 installs the
# wheel that ONNX Runtime's setup.py builds (see do_compile).
inherit cmake cuda python_pep517 features_check

# TensorRT (tensorrt-core) requires it.
REQUIRED_DISTRO_FEATURES = "opengl"

OECMAKE_SOURCEPATH = "${S}/cmake"

# What build.sh --use_cuda --use_tensorrt --build_wheel would pass, spelled out
# for CMake. Notes on the choices that differ from upstream defaults:
# - BUILD_SHARED_LIB OFF: the Python module links the runtime statically, as
#   the onnxruntime-gpu wheels do; no C/C++ library is packaged.
# - TENSORRT_BUILTIN_PARSER ON: use the libnvonnxparser that ships with
#   TensorRT 10.3 (tensorrt-plugins) instead of building onnx-tensorrt, whose
#   pinned branch targets a newer TensorRT.
# - flash/memory-efficient/lean attention OFF: CUDA kernels for transformer
#   models that roughly double the build; the appliance runs small vision and
#   anomaly models. KleidiAI OFF: CPU int4 kernels, not needed with the GPU.
# - the dependencies come only from the local mirror (see SRC_URI); find_package
#   is never tried, so nothing from the sysroot with another version is picked
#   up. FETCHCONTENT_FULLY_DISCONNECTED stays OFF because it would also skip the
#   SHA1 check and the release's patches; there is no network in do_configure
#   anyway, so a dependency missing from the mirror fails the build by name.
EXTRA_OECMAKE += "\
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_SKIP_RPATH=ON \
    -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES} \
    -Donnxruntime_CROSS_COMPILING=ON \
    -Donnxruntime_DEV_MODE=OFF \
    -Donnxruntime_BUILD_UNIT_TESTS=OFF \
    -Donnxruntime_BUILD_SHARED_LIB=OFF \
    -Donnxruntime_ENABLE_PYTHON=ON \
    -Donnxruntime_USE_CUDA=ON \
    -Donnxruntime_CUDA_VERSION=${CUDA_VERSION} \
    -Donnxruntime_CUDA_HOME=${CUDA_TOOLKIT_ROOT} \
    -Donnxruntime_CUDNN_HOME=${RECIPE_SYSROOT}${prefix} \
    -Donnxruntime_USE_TENSORRT=ON \
    -Donnxruntime_USE_TENSORRT_BUILTIN_PARSER=ON \
    -Donnxruntime_TENSORRT_HOME=${RECIPE_SYSROOT}${prefix} \
    -Donnxruntime_USE_FLASH_ATTENTION=OFF \
    -Donnxruntime_USE_MEMORY_EFFICIENT_ATTENTION=OFF \
    -Donnxruntime_USE_LEAN_ATTENTION=OFF \
    -Donnxruntime_USE_KLEIDIAI=OFF \
    -Donnxruntime_USE_PREINSTALLED_EIGEN=ON \
    -Deigen_SOURCE_PATH=${ORT_EIGEN_DIR} \
    -Donnxruntime_CMAKE_DEPS_MIRROR_DIR=${ORT_DEPS_MIRROR} \
    -DFETCHCONTENT_TRY_FIND_PACKAGE_MODE=NEVER \
    -DFETCHCONTENT_FULLY_DISCONNECTED=OFF \
    -DONNX_CUSTOM_PROTOC_EXECUTABLE=${ORT_PROTOC} \
    -DPatch_EXECUTABLE=${STAGING_BINDIR_NATIVE}/patch \
    -DPython_EXECUTABLE=${PYTHON} \
    -DPython_INCLUDE_DIR=${STAGING_INCDIR}/${PYTHON_DIR} \
    -DPython_NumPy_INCLUDE_DIR=${ORT_NUMPY_INCLUDE_DIR} \
"

# nvcc compiles the .cu files with the host compiler's flags from CUDAFLAGS,
# not CXXFLAGS: give it the same prefix maps so no build path is embedded.
# (CUDAFLAGS is exported by meta-tegra's cuda.bbclass.)
# nooelint: oelint.vars.mispell
CUDAFLAGS:append = " ${@' '.join('-Xcompiler ' + f for f in (d.getVar('DEBUG_PREFIX_MAP') or '').split())}"

# ONNX Runtime's setup.py options: the distribution is named onnxruntime-gpu,
# as on PyPI and in the project's pyproject.toml.
ORT_WHEEL_ARGS = "--wheel_name_suffix=gpu --cuda_version=${CUDA_VERSION}"

python ort_link_deps_mirror() {
    # Give each dependency archive the path ONNX Runtime looks for in its
    # mirror: <mirror>/<host>/<path of the deps.txt URL>.
    store = d.getVar('ORT_DEPS_DIR')
    mirror = d.getVar('ORT_DEPS_MIRROR')
    linked = 0
    for url in (d.getVar('SRC_URI') or '').split():
        _, host, path, _, _, parm = bb.fetch2.decodeurl(url)
        if parm.get('subdir') != d.getVar('ORT_DEPS_SUBDIR'):
            continue
        archive = os.path.join(store, parm['downloadfilename'])
        if not os.path.isfile(archive):
            bb.fatal('ONNX Runtime dependency %s was not unpacked to %s' % (url, archive))
        link = os.path.join(mirror, host, path.lstrip('/'))
        bb.utils.mkdirhier(os.path.dirname(link))
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(archive, link)
        linked += 1
    if not linked:
        bb.fatal('no ONNX Runtime dependency archives in SRC_URI (subdir=%s)' % d.getVar('ORT_DEPS_SUBDIR'))
}
do_unpack[postfuncs] += "ort_link_deps_mirror"

python ort_check_deps_pins() {
    # Stop before configure when this release's cmake/deps.txt disagrees with
    # the archives fetched above: another URL means another version, another
    # SHA1 means another file. Both would otherwise surface late, as a download
    # attempt without network or a hash mismatch deep in the CMake log.
    source = d.getVar('S')
    pins = {}
    with open(os.path.join(source, 'cmake', 'deps.txt')) as deps:
        for line in deps:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            fields = line.split(';')
            if len(fields) >= 3:
                pins[fields[1]] = (fields[0], fields[2].lower())
    for url in (d.getVar('SRC_URI') or '').split():
        _, host, path, _, _, parm = bb.fetch2.decodeurl(url)
        if parm.get('subdir') != d.getVar('ORT_DEPS_SUBDIR'):
            continue
        plain = 'https://%s%s' % (host, path)
        if plain not in pins:
            bb.fatal('cmake/deps.txt of onnxruntime %s does not name %s: update the recipe' % (d.getVar('PV'), plain))
        wanted = pins[plain][1]
        pinned = (d.getVarFlag('SRC_URI', '%s.sha1sum' % parm['name']) or '').lower()
        if pinned != wanted:
            bb.fatal('%s: recipe pins sha1 %s, cmake/deps.txt pins %s' % (plain, pinned, wanted))
    with open(os.path.join(source, 'cmake', 'external', 'onnxruntime_external_deps.cmake')) as cmake:
        if 'onnxruntime_CMAKE_DEPS_MIRROR_DIR' not in cmake.read():
            bb.fatal('this onnxruntime release has no onnxruntime_CMAKE_DEPS_MIRROR_DIR; the dependency mirror would be ignored')
}

ort_check_build_host() {
    if [ "${BUILD_ARCH}" != "x86_64" ]; then
        bbfatal "the prebuilt protoc 21.12 in SRC_URI runs on x86_64 build hosts only (this one is ${BUILD_ARCH})"
    fi
    if [ -z "${CUDA_ARCHITECTURES}" ]; then
        bbfatal "CUDA_ARCHITECTURES is empty: the machine configuration must name the GPU architecture (87 for Orin)"
    fi
}
do_configure[prefuncs] += "ort_check_build_host ort_check_deps_pins"

do_configure() {
    cmake_do_configure
}

do_compile() {
    cmake_do_compile
    # As build.py does it: the source tree's setup.py, run in the CMake build
    # tree, where CMake has assembled the onnxruntime/ package with the built
    # module and provider libraries. setup.py reads VERSION_NUMBER from there.
    install -m 0644 ${S}/VERSION_NUMBER ${B}/
    cd ${B}
    ${PYTHON} ${S}/setup.py --verbose bdist_wheel --dist-dir ${PEP517_WHEEL_PATH} ${ORT_WHEEL_ARGS}
}

do_install() {
    python_pep517_do_install
    capi=${D}${PYTHON_SITEPACKAGES_DIR}/onnxruntime/capi
    for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so \
               libonnxruntime_providers_tensorrt.so; do
        if [ ! -f $capi/$lib ]; then
            bbfatal "$lib is missing from the wheel: the CUDA/TensorRT build did not produce it"
        fi
    done
    # The Python module must be importable by the target's interpreter: a
    # plain .so or an extension suffix naming the target, never one taken from
    # the build host's Python.
    set -- $capi/onnxruntime_pybind11_state*.so
    if [ ! -f "$1" ]; then
        bbfatal "onnxruntime_pybind11_state is missing from the wheel"
    fi
    case "$(basename $1)" in
    onnxruntime_pybind11_state.so|*-${TARGET_ARCH}-linux-gnu.so) ;;
    *) bbfatal "$(basename $1) is not named for the target's Python" ;;
    esac
    # CMAKE_SKIP_RPATH keeps sysroot paths out of the binaries; give the
    # provider libraries their own directory back so they find
    # libonnxruntime_providers_shared.so however they are loaded (onnxruntime
    # dlopens them by path, the appliance probes them with ctypes first).
    for lib in $capi/libonnxruntime_providers_*.so; do
        patchelf --add-rpath '$ORIGIN' $lib
    done
}

COMPATIBLE_MACHINE = "(tegra)"
PACKAGE_ARCH = "${TEGRA_PKGARCH}"

RDEPENDS:${PN} += "\
    cuda-cudart \
    cudnn \
    libcublas \
    libcufft \
    libcurand \
    python3-core \
    python3-numpy \
    tensorrt-core \
    tensorrt-plugins \
"
# install_requires of the wheel, used by onnxruntime.tools, .quantization and
# .transformers but not by inference sessions.
RRECOMMENDS:${PN} += "\
    python3-coloredlogs \
    python3-flatbuffers \
    python3-packaging \
    python3-protobuf \
    python3-sympy \
"
