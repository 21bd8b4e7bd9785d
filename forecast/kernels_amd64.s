#include "textflag.h"

// func dotAVX2(a, b *float64, n int) float64
// Sum of a[i]*b[i] with four 4-wide accumulators.
TEXT ·dotAVX2(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

dot16:
	CMPQ CX, $16
	JL   dot4
	VMOVUPD 0(SI), Y4
	VMOVUPD 32(SI), Y5
	VMOVUPD 64(SI), Y6
	VMOVUPD 96(SI), Y7
	VFMADD231PD 0(DI), Y4, Y0
	VFMADD231PD 32(DI), Y5, Y1
	VFMADD231PD 64(DI), Y6, Y2
	VFMADD231PD 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, CX
	JMP  dot16

dot4:
	CMPQ CX, $4
	JL   dotreduce
	VMOVUPD 0(SI), Y4
	VFMADD231PD 0(DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  dot4

dotreduce:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VHADDPD X0, X0, X0

dot1:
	TESTQ CX, CX
	JE    dotdone
	VMOVSD (SI), X1
	VFMADD231SD (DI), X1, X0
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JMP  dot1

dotdone:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func axpyAVX2(alpha float64, x, y *float64, n int)
// y[i] += alpha*x[i].
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX

axpy8:
	CMPQ CX, $8
	JL   axpy4
	VMOVUPD 0(DI), Y1
	VMOVUPD 32(DI), Y2
	VFMADD231PD 0(SI), Y0, Y1
	VFMADD231PD 32(SI), Y0, Y2
	VMOVUPD Y1, 0(DI)
	VMOVUPD Y2, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JMP  axpy8

axpy4:
	CMPQ CX, $4
	JL   axpy1
	VMOVUPD 0(DI), Y1
	VFMADD231PD 0(SI), Y0, Y1
	VMOVUPD Y1, 0(DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  axpy4

axpy1:
	TESTQ CX, CX
	JE    axpydone
	VMOVSD (DI), X1
	VFMADD231SD (SI), X0, X1
	VMOVSD X1, (DI)
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JMP  axpy1

axpydone:
	VZEROUPPER
	RET
