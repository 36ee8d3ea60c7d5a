"""Movement analysis: keypoints, joint angles, repetitions, smoothness and movement quality.

Pure layer: no database, web, CLI or plotting imports; no file access (readers live in
:mod:`reeducate.io`). The video route (pose estimation) lives in :mod:`reeducate.movement.pose`
and needs the ``video`` extra.

Modules:

* :mod:`~reeducate.movement.keypoints`, :mod:`~reeducate.movement.skeletons`: the keypoint
  series every route produces, and the skeletons' name tables;
* :mod:`~reeducate.movement.coordinates`: named joint coordinates (OpenSim ``.mot``);
* :mod:`~reeducate.movement.cleaning`: confidence, Hampel outliers, gaps, Butterworth, One-Euro;
* :mod:`~reeducate.movement.angles`: 2-D and 3-D joint angles, one convention per joint/plane;
* :mod:`~reeducate.movement.reps`: repetitions, ROM, tempo, rest, consistency, symmetry;
* :mod:`~reeducate.movement.path`: end-effector path shape (line, diagonal, circle);
* :mod:`~reeducate.movement.alignment`: knee valgus, trunk lean, pelvic drop, hip hike;
* :mod:`~reeducate.movement.similarity`: DTW comparison with a demonstration;
* :mod:`~reeducate.movement.stability`: keypoint centre of mass, sway, single-leg stance;
* :mod:`~reeducate.movement.quality`: quality score with reasons, and the dose done;
* :mod:`~reeducate.movement.smoothness`, :mod:`~reeducate.movement.imu`: SPARC/LDLJ and IMUs.
"""
