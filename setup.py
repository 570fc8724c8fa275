"""ament_python package: installs with `colcon build` and with plain `pip install`."""

from glob import glob

from setuptools import find_packages, setup

PACKAGE = "seasky_ros"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(include=[PACKAGE, f"{PACKAGE}.*", "training", "training.*"]),
    package_data={PACKAGE: ["weights/*.pt", "weights/*.onnx"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.py")),
        (f"share/{PACKAGE}/config", glob("config/*.yaml") + glob("config/*.xml")),
    ],
    python_requires=">=3.10",
    install_requires=["setuptools", "numpy", "opencv-python-headless", "pyyaml"],
    extras_require={
        "torch": ["torch>=2.1"],
        "onnx": ["onnx", "onnxruntime"],
        "training": ["torch>=2.1", "tqdm", "matplotlib", "onnx", "onnxruntime"],
        "bag": ["rosbags>=0.10", "tqdm"],
        "dev": ["pytest", "ruff", "psutil"],
    },
    zip_safe=True,
    maintainer="seasky_ros maintainers",
    maintainer_email="maintainers@seasky-ros.invalid",
    description="Sky/sea/other segmentation and horizon estimation for maritime infrared cameras.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "segment_node = seasky_ros.node:main",
            "seasky-train = training.train:main",
            "seasky-eval = training.evaluate:main",
            "seasky-predict = training.predict:main",
            "seasky-export = training.export:main",
            "seasky-synth = training.synthetic:main",
            "seasky-check = training.check:main",
            "seasky-bag = seasky_ros.bag:main",
            "seasky-bench = seasky_ros.bench:main",
        ],
    },
)
