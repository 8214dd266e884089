#!/usr/bin/env python3
"""Export a Hugging Face CLIP-family model (OpenAI CLIP, MetaCLIP, any CLIPModel-compatible checkpoint) to the two
ONNX towers CarLens loads, plus the manifest that describes them.

    pip install torch transformers onnx        # on a machine with internet; nothing here runs inside the app
    python export_clip_onnx.py --model facebook/metaclip-b32-400m --out ../metaclip-b32-400m
    # then: npm run cli -- embed --model native-models/metaclip-b32-400m/manifest.json

Writes into --out: image.onnx (pixel_values N x 3 x S x S -> image_embeds N x D), text.onnx (input_ids +
attention_mask N x L int64 -> text_embeds N x D), vocab.json + merges.txt (the model's own BPE tokenizer) and
manifest.json. The batch axis is dynamic. Embeddings are NOT normalised in the graph: the app L2-normalises them.

CarLens tokenizes with CLIP's byte-level BPE (vocab.json + merges.txt). Checkpoints with another tokenizer
(MetaCLIP 2 "worldwide" models use a multilingual sentencepiece vocabulary) are refused with a clear message
rather than exported with a tokenizer the app would apply wrongly.
"""
import argparse
import json
from pathlib import Path

import torch
from transformers import AutoModel, AutoProcessor


def as_tensor(output, key):
    # transformers 4.x returns the projected tensor; newer versions may wrap it in a model output.
    return output if torch.is_tensor(output) else getattr(output, key)


class ImageTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return as_tensor(self.model.get_image_features(pixel_values=pixel_values), "image_embeds")


class TextTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return as_tensor(self.model.get_text_features(input_ids=input_ids, attention_mask=attention_mask), "text_embeds")


def side(value):
    # image processors give sizes as an int or as {"height", "width"} / {"shortest_edge"}
    if isinstance(value, int):
        return value
    return value.get("height") or value.get("shortest_edge")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="Hugging Face id or local folder of a CLIP-family checkpoint")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--id", help="manifest id (default: the folder name of --out)")
    parser.add_argument("--licence", default="see the model card", help="licence to record in the manifest")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    model = AutoModel.from_pretrained(args.model).eval()
    processor = AutoProcessor.from_pretrained(args.model)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    processor.tokenizer.save_pretrained(out)
    if not (out / "vocab.json").exists() or not (out / "merges.txt").exists():
        raise SystemExit(f"{args.model}: its tokenizer is not a CLIP BPE (no vocab.json + merges.txt); CarLens cannot tokenize for it")

    images = processor.image_processor
    size = side(images.crop_size) if getattr(images, "do_center_crop", False) else side(images.size)
    context = model.config.text_config.max_position_embeddings
    dim = model.config.projection_dim

    with torch.no_grad():
        torch.onnx.export(
            ImageTower(model), (torch.zeros(1, 3, size, size),), out / "image.onnx", opset_version=args.opset,
            input_names=["pixel_values"], output_names=["image_embeds"],
            dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
        )
        ids = torch.ones(1, context, dtype=torch.int64)
        torch.onnx.export(
            TextTower(model), (ids, torch.ones_like(ids)), out / "text.onnx", opset_version=args.opset,
            input_names=["input_ids", "attention_mask"], output_names=["text_embeds"],
            dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "text_embeds": {0: "batch"}},
        )

    manifest = {
        "id": args.id or out.name,
        "kind": "embedder",
        "description": f"{args.model} exported by native-models/export/export_clip_onnx.py",
        "aligned": True,
        "licence": args.licence,
        "image": {
            "file": "image.onnx",
            "input": "pixel_values",
            "output": "image_embeds",
            "width": size,
            "height": size,
            # CLIP processors resize the shortest side (bicubic) and centre-crop.
            "resize": "shortest_side_center_crop" if getattr(images, "do_center_crop", False) else "resize",
            "channelOrder": "RGB",
            "scale": images.rescale_factor,
            "mean": list(images.image_mean),
            "std": list(images.image_std),
            "maxBatch": 16,
        },
        "text": {"kind": "onnx", "file": "text.onnx", "inputIds": "input_ids", "attentionMask": "attention_mask", "idsType": "int64", "output": "text_embeds"},
        "tokenizer": {"vocab": "vocab.json", "merges": "merges.txt", "contextLength": context},
        "imageDim": dim,
        "fusion": {"strategy": "weighted", "alpha": 0.6, "beta": 0.4},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {out}/image.onnx, text.onnx, vocab.json, merges.txt, manifest.json (D={dim}, input {size}, context {context})")


if __name__ == "__main__":
    main()
