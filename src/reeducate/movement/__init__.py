"""Movement analysis: keypoints, joint angles, repetitions, smoothness and movement quality.

Pure layer: no database, web, CLI or plotting imports; no file access (readers live in
:mod:`reeducate.io`). The video route (pose estimation) lives in :mod:`reeducate.movement.pose`
and needs the ``video`` extra.
"""
