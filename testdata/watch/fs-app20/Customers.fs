// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Customers

type CustomersItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "customers-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 6 + 4

let total (items: CustomersItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: CustomersItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Orders.scale x + 1
