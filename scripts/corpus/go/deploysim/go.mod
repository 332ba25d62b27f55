module corpus/deploysim

go 1.22
