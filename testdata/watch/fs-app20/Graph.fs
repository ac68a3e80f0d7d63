// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Graph

type GraphItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "graph-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 17 + 15

let total (items: GraphItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: GraphItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Matrix.scale x + 1
