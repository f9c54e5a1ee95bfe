static const bh_program_desc bh_program = {
	BH_ABI_VERSION, "@PROGRAM@",
	@COMPARTMENT_COUNT@, bh_compartments,
	@GATE_COUNT@, bh_gates,
	{ (uintptr_t)bh_shared_start, (uintptr_t)bh_shared_end },
	(size_t)1 << 30, /* shared heap: 1 GiB reserved, pages used on demand */
};
