"""textkit's own Norwegian spaCy pipeline: training from NDT/NorNE (`training`), its second-pass
components (`components`), and the shipped model (`nb_textkit_sm/`)."""
