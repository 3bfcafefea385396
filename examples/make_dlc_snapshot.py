#!/usr/bin/python3
"""Writes a DeepLabCut 3.x-style snapshot trained "on two GPUs": the model was wrapped in
DataParallel, so every key of snapshot["model"] starts with `module.`. Also writes the state
dict of the plain model that evaluation on one GPU builds, as a reference model definition.

Usage: /usr/bin/python3 examples/make_dlc_snapshot.py OUT_DIR
       (writes OUT_DIR/snapshot-200.pt and OUT_DIR/model-reference.pt, prints both paths)
Needs Debian's python3-torch and python3-torchvision."""
import os
import sys

import torch
import torchvision


class HeatmapHead(torch.nn.Module):
    def __init__(self, channels, keypoints):
        super().__init__()
        self.deconv = torch.nn.ConvTranspose2d(channels, 256, kernel_size=4, stride=2, padding=1)
        self.final_conv = torch.nn.Conv2d(256, keypoints, kernel_size=1)


class Backbone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.model = torchvision.models.resnet18()
        self.model.fc = torch.nn.Identity()


class PoseModel(torch.nn.Module):
    """The shape of DeepLabCut's PoseModel: backbone.model.* and heads.bodypart.*."""

    def __init__(self, keypoints=12):
        super().__init__()
        self.backbone = Backbone()
        self.heads = torch.nn.ModuleDict({"bodypart": HeatmapHead(512, keypoints)})


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    model = torch.nn.DataParallel(PoseModel())  # what multi-GPU training wraps the model in
    snapshot = {
        "metadata": {"epoch": 200, "metrics": {"test.rmse": 4.2}, "losses": {"total_loss": 0.0012}},
        "model": model.state_dict(),
    }
    path = os.path.join(out_dir, "snapshot-200.pt")
    torch.save(snapshot, path)
    reference = os.path.join(out_dir, "model-reference.pt")
    torch.save(PoseModel().state_dict(), reference)
    print(path)
    print(reference)


if __name__ == "__main__":
    main()
