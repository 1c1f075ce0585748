"""textkit's own Norwegian spaCy pipeline, one module per step: reading the NDT/NorNE and UD
data and keeping evaluation sentences out of training (`conll`), NDT -> UD conversion
(`convert`), spaCy training corpora (`corpora`), training and packaging (`train`),
evaluation (`evaluate`), its second-pass components (`components`), and the shipped model
(`nb_textkit_sm/`)."""
