"""digits: a small PyTorch CNN on sklearn's 8x8 handwritten digits, input NCHW [batch, 1, 8, 8].

Trained on pixel/16 (the dataset's 0..16 scale). The PNGs store round(pixel * 255 / 16) as 8-bit grey,
so the sidecar's `scale` of 1/255 turns a picture back into (almost exactly) the training scale.
No reference.csv: the only feature is the image, which a CSV row cannot carry in this signature.
"""
import io

import numpy as np
import onnx
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from .common import expected_document, sample_path, save_model, tensor_value, write_json, write_png_rgb

CLASS_NAMES = [str(d) for d in range(10)]
PNG_DIGITS = [0, 3, 7, 9]  # which test-set digits get a picture for the UI's image picker
PNG_UPSCALE = 8            # 8x8 -> 64x64, nearest neighbour, so each source pixel is an 8x8 block


class DigitsNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),                                   # 16 x 4 x 4
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),                                   # 32 x 2 x 2
            torch.nn.Flatten(),
        )
        self.classifier = torch.nn.Linear(32 * 2 * 2, 10)

    def logits(self, image):
        return self.classifier(self.features(image))

    def forward(self, image):
        return torch.softmax(self.logits(image), dim=1)


def train(images, labels):
    torch.manual_seed(0)
    net = DigitsNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    x = torch.tensor(images, dtype=torch.float32)
    y = torch.tensor(labels, dtype=torch.int64)
    generator = torch.Generator().manual_seed(0)
    net.train()
    for _ in range(25):
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(y), 64):
            batch = order[start:start + 64]
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(net.logits(x[batch]), y[batch]).backward()
            optimiser.step()
    return net.eval()


def predict(net, images):
    with torch.no_grad():
        return net(torch.tensor(images, dtype=torch.float32)).numpy()


def export(net):
    buffer = io.BytesIO()
    torch.onnx.export(
        net, torch.zeros(1, 1, 8, 8), buffer,
        input_names=["image"], output_names=["probabilities"],
        dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=13, do_constant_folding=True,
    )
    model = onnx.load_from_string(buffer.getvalue())
    model.doc_string = "Handwritten digit 0-9 from an 8x8 grey picture, white on black (PyTorch CNN)."
    return model


def sidecar():
    return {
        "task": "classification",
        "classNames": CLASS_NAMES,
        "inputs": {"image": {"kind": "image", "image": {
            "layout": "NCHW", "height": 8, "width": 8, "channels": 1,
            "scale": 1 / 255, "mean": [0], "std": [1],
        }}},
    }


def make():
    print("digits")
    data = load_digits()
    images = (data.images / 16.0).reshape(-1, 1, 8, 8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, data.target, test_size=0.2, random_state=0, stratify=data.target)
    net = train(x_train, y_train)
    accuracy = float((predict(net, x_test).argmax(axis=1) == y_test).mean())
    print(f"  test accuracy {accuracy:.3f} on {len(y_test)} held-out images")

    save_model(export(net), sample_path("digits", "digits.onnx"))
    write_json(sample_path("digits", "digits.signature.json"), sidecar(), round_floats=False)

    test_predictions = predict(net, x_test).argmax(axis=1)
    pictures, files = [], []
    for digit in PNG_DIGITS:
        # the first test image of that digit the model gets right, so the demo shows a correct answer
        index = next(i for i in range(len(y_test)) if y_test[i] == digit and test_predictions[i] == digit)
        grey = np.round(x_test[index, 0] * 255).astype(np.uint8)  # = round(pixel * 255 / 16)
        big = np.repeat(np.repeat(grey, PNG_UPSCALE, axis=0), PNG_UPSCALE, axis=1)
        name = f"digit_{digit}.png"
        write_png_rgb(sample_path("digits", name), np.stack([big] * 3, axis=-1))
        pictures.append(grey)
        files.append(name)

    tensor = np.stack(pictures).reshape(-1, 1, 8, 8).astype(np.float32) / np.float32(255)
    probabilities = predict(net, tensor)
    write_json(sample_path("digits", "expected.json"), expected_document(
        "digits.onnx", "the PNG pictures in this folder, downscaled 8x to 8x8, pixel/255; outputs from torch",
        records=[{"image": name, "pixels": grey} for name, grey in zip(files, pictures)],
        inputs={"image": tensor_value("float32", tensor.shape, tensor)},
        outputs={"probabilities": tensor_value("float32", probabilities.shape, probabilities)},
        predictions=[{"label": CLASS_NAMES[int(p.argmax())], "probabilities": dict(zip(CLASS_NAMES, p)),
                      "actual": str(d)} for p, d in zip(probabilities, PNG_DIGITS)],
        notes=["records[].pixels is the 8x8 grey picture (0..255) before scaling; each PNG is it upscaled 8x."],
    ))
