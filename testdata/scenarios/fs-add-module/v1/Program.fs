module App.Program

let describe (w: int) (h: int) : string =
    "rect " + string w + "x" + string h

let Run () : string =
    describe 3 4
