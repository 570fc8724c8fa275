# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""ament_python package: installs with `colcon build` and with plain `pip install`."""

from glob import glob

from setuptools import find_packages, setup

PACKAGE = "seasky_ros"
# the repo's training/ folder installs under a name of its own: a top-level `training` would collide
TRAINING_PACKAGE = "seasky_training"
BAG = ["rosbags>=0.10", "tqdm", "pillow"]  # pillow: --video x.gif
TRAINING = ["tqdm", "matplotlib", "onnx"]

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(include=[PACKAGE, f"{PACKAGE}.*"])
    + [TRAINING_PACKAGE + name[len("training"):] for name in find_packages(include=["training", "training.*"])],
    package_dir={TRAINING_PACKAGE: "training"},
    package_data={PACKAGE: ["weights/*.pt", "weights/*.onnx"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.py")),
        (f"share/{PACKAGE}/config", glob("config/*.yaml") + glob("config/*.xml")),
    ],
    python_requires=">=3.10",
    # what the node needs to start (torch: pick the CPU or CUDA wheel first, a bare `torch` is CUDA's);
    # the ROS packages come from package.xml (rosdep), or as the ros-* wheels (see the Makefile)
    install_requires=["setuptools", "numpy", "opencv-python-headless", "pyyaml", "torch>=2.1", "onnxruntime"],
    extras_require={
        "bag": BAG,
        "bench": ["psutil"],
        # onnx: seasky-export, and .pt weights run through ONNX Runtime (torch's exporter needs it)
        "training": TRAINING,
        # colcon test runs pytest only when it is named here
        "test": ["pytest", "ruff", "psutil", *BAG, *TRAINING],
    },
    zip_safe=True,
    maintainer="seasky_ros maintainers",
    maintainer_email="maintainers@seasky-ros.invalid",
    description="Sky/sea/other segmentation and horizon estimation for maritime infrared cameras.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "segment_node = seasky_ros.node:main",
            "seasky-train = seasky_training.train:main",
            "seasky-eval = seasky_training.evaluate:main",
            "seasky-predict = seasky_training.predict:main",
            "seasky-export = seasky_training.export:main",
            "seasky-synth = seasky_ros.synthetic:main",
            "seasky-check = seasky_training.check:main",
            "seasky-bag = seasky_ros.bag:main",
            "seasky-bench = seasky_ros.bench:main",
        ],
    },
)
