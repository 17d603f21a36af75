SUMMARY = "Edge Appliance image for NVIDIA Jetson"
DESCRIPTION = "A minimal systemd image that boots into the appliance daemon with a \
local Mosquitto broker, CUDA llama.cpp, ONNX Runtime with CUDA and TensorRT, and the \
default model."
SECTION = "images"
LICENSE = "MIT"

inherit core-image

IMAGE_FEATURES += "ssh-server-openssh"

IMAGE_INSTALL:append = " \
    appliance \
    appliance-broker \
    tegra-tools-tegrastats \
    tegra-nvpmodel \
    udev-rules-tegra \
"

# Models and the CUDA runtime need room beyond the default rootfs slack (KiB).
IMAGE_ROOTFS_EXTRA_SPACE = "2097152"

COMPATIBLE_MACHINE = "(tegra)"
